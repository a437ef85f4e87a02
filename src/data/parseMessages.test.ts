/**
 * What a user reads: every refusal and row problem of the data parsers, written out in full with
 * its code and line, and the format guess for each kind of first line. The expected texts are
 * written here by hand, so a changed word, a lost hint or a wrong line number fails.
 */
import { describe, expect, it } from 'vitest';
import { DataParseError, formatFromFileName, parsePairs, parseTable, sniffFormat, type ParseOptions } from './parsePairs.ts';
import { thrown } from '../test/thrown.ts';

function refusal(text: string, opts: ParseOptions = {}): { code: string; message: string; line?: number } {
  const err = thrown(() => parsePairs(text, opts), DataParseError);
  expect(err.name).toBe('DataParseError');
  return { code: err.code, message: err.message, ...(err.line !== undefined ? { line: err.line } : {}) };
}

describe('the format guess', () => {
  it.each([
    ['input\toutput\nx\ty', 'tsv'],
    [' Inputs \tfoo\nx\ty', 'tsv'],
    ['a\tb\nc\td', 'pasted'],
    ['my_input\tb', 'pasted'],
    ['inputs_x\tb', 'pasted'],
    ['  [1, 2]\n[3, 4]', 'jsonl'],
    ['{"a": 1}\n\n{"b": 2}', 'jsonl'],
    ['[1, 2]', 'json'],
    ['[1,\n2]', 'json'],
    ['\n  {"a": [1]}\n', 'json'],
    ['a => b, c', 'pasted'],
    ['a,b\nc,d', 'csv'],
    ['hello', 'pasted'],
    ['\n \n', 'pasted'],
    ['x,', 'csv'],
    ['  \t \nx,y', 'csv'],
  ])('%j is %s', (text, format) => {
    expect(sniffFormat(text)).toBe(format);
  });

  it.each([
    ['data.CSV', 'csv'],
    ['x.tsv', 'tsv'],
    ['x.tab', 'tsv'],
    ['x.json', 'json'],
    ['x.jsonl', 'jsonl'],
    ['x.ndjson', 'jsonl'],
    ['a.b.json', 'json'],
    ['.csv', 'csv'],
    ['notes.txt', undefined],
    ['README', undefined],
    [undefined, undefined],
  ])('%j says %s', (name, format) => {
    expect(formatFromFileName(name)).toBe(format);
  });
});

describe('refusals, word for word', () => {
  it.each([
    ['CSV row too short for the output', 'input,output\nhello\n', {}, { code: 'BAD_ROW', message: 'Line 2: there is no value for column "output" (the row has fewer fields than the header).', line: 2 }],
    ['TSV row too short for the input', 'x\tinput\toutput\nq\n', {}, { code: 'BAD_ROW', message: 'Line 2: there is no value for column "input" (the row has fewer fields than the header).', line: 2 }],
    ['JSON item without the output', '[{"input": "a", "output": "b"},\n {"input": "c"}]', {}, { code: 'BAD_ROW', message: 'Line 2 (item 2): there is no value for column "output".', line: 2 }],
    ['JSON item without the input', '[{"input": "a", "output": "b"}, {"output": "c"}]', {}, { code: 'BAD_ROW', message: 'Line 1 (item 2): there is no value for column "input".', line: 1 }],
    ['empty input', 'input,output\n  ,y\n', {}, { code: 'EMPTY_INPUT', message: 'Line 2: the input (column "input") is empty. Every row needs an input.', line: 2 }],
    ['empty output', 'input,output\nx,y\nx, \n', {}, { code: 'EMPTY_OUTPUT', message: 'Line 3: the output (column "output") is empty. Every row needs an output.', line: 3 }],
    ['empty output after a multi-line field', 'input,output\n"a\nb",c\nd,\n', {}, { code: 'EMPTY_OUTPUT', message: 'Line 4: the output (column "output") is empty. Every row needs an output.', line: 4 }],
    ['unknown column', 'q,a\nx,y\n', { inputColumn: 'question' }, { code: 'MISSING_COLUMN', message: 'There is no column named "question". The columns are: "q", "a".' }],
    ['two loose matches', 'Input,input ,output\nx,y,z\n', { inputColumn: 'INPUT' }, { code: 'MISSING_COLUMN', message: 'There is no column named "INPUT". The columns are: "Input", "input", "output".' }],
    ['one column', 'word\nhello\n', { format: 'csv' }, { code: 'MISSING_COLUMN', message: 'The data has only one column ("word"); it needs a column of inputs and a column of outputs.' }],
    ['a header alone', 'input,output\n', {}, { code: 'NO_ROWS', message: 'The data is empty: there is a header row but no data rows under it.' }],
    ['nothing', '  \n', {}, { code: 'NO_ROWS', message: 'The data is empty: there are no rows.' }],
    ['an unclosed quote', 'input,output\nx,y\n"abc,d\n', {}, { code: 'UNMATCHED_QUOTE', message: 'Line 3: the quoted field that starts here is never closed (unmatched ").', line: 3 }],
    ['a badly closed quote (CSV)', 'input,output\n"5" inches,x\n', {}, { code: 'UNMATCHED_QUOTE', message: 'Line 2: the quoted field that starts here is not closed properly (unmatched "). Inside quotes, write a quote as ""; the closing quote must be followed by a comma or the end of the line.', line: 2 }],
    ['a badly closed quote (TSV)', 'input\toutput\n"5" inches\tx\n', {}, { code: 'UNMATCHED_QUOTE', message: 'Line 2: the quoted field that starts here is not closed properly (unmatched "). Inside quotes, write a quote as ""; the closing quote must be followed by a tab or the end of the line.', line: 2 }],
    ['the first of two bad quotes', 'input,output\na,b\n"5" x,y\n"6" z,w\n', {}, { code: 'UNMATCHED_QUOTE', message: 'Line 3: the quoted field that starts here is not closed properly (unmatched "). Inside quotes, write a quote as ""; the closing quote must be followed by a comma or the end of the line.', line: 3 }],
    ['pasted, several commas', 'a,b\nx,y,z\n', { format: 'pasted' }, { code: 'BAD_ROW', message: 'Line 2: it has several commas, so where the input ends is unclear. Write each pair as input<TAB>output or input => output.', line: 2 }],
    ['pasted, no separator', 'a => b\n\nplain\n', {}, { code: 'BAD_ROW', message: 'Line 3: there is no separator between input and output. Write each pair as input<TAB>output or input => output.', line: 3 }],
    ['pasted, tab first', '\tb\n', { format: 'pasted' }, { code: 'EMPTY_INPUT', message: 'Line 1: the input (column "input") is empty. Every row needs an input.', line: 1 }],
    ['pasted, arrow first', '=> b\n', { format: 'pasted' }, { code: 'EMPTY_INPUT', message: 'Line 1: the input (column "input") is empty. Every row needs an input.', line: 1 }],
    ['pasted, comma first', ',b\n', { format: 'pasted' }, { code: 'EMPTY_INPUT', message: 'Line 1: the input (column "input") is empty. Every row needs an input.', line: 1 }],
    ['a JSON pair of three', '[["a", "b", "c"]]', {}, { code: 'BAD_ROW', message: 'Line 1 (item 1): a pair should be [input, output], but this list has 3 items.', line: 1 }],
    ['a JSON scalar row', '[\n  ["a", "b"],\n  5\n]', {}, { code: 'BAD_ROW', message: 'Line 3 (item 2): expected an object like {"input": "…", "output": "…"} or a pair ["…", "…"], found 5.', line: 3 }],
    ['a JSONL scalar row', '{"input": "a", "output": "b"}\nnull\n', { format: 'jsonl' }, { code: 'BAD_ROW', message: 'Line 2: expected an object like {"input": "…", "output": "…"} or a pair ["…", "…"], found null.', line: 2 }],
    ['JSON of the wrong shape (a number)', '3', { format: 'json' }, { code: 'BAD_JSON', message: 'The JSON is not in a shape this tool reads. Use an array of rows ([{"input": "…", "output": "…"}, …] or [["input", "output"], …]) or an object of equal-length lists ({"inputs": […], "outputs": […]}).' }],
    ['JSON of the wrong shape (an empty object)', '{}', {}, { code: 'BAD_JSON', message: 'The JSON is not in a shape this tool reads. Use an array of rows ([{"input": "…", "output": "…"}, …] or [["input", "output"], …]) or an object of equal-length lists ({"inputs": […], "outputs": […]}).' }],
    ['JSON of the wrong shape (not all lists)', '{"inputs": ["a"], "outputs": "b"}', {}, { code: 'BAD_JSON', message: 'The JSON is not in a shape this tool reads. Use an array of rows ([{"input": "…", "output": "…"}, …] or [["input", "output"], …]) or an object of equal-length lists ({"inputs": […], "outputs": […]}).' }],
    ['JSON null', 'null', { format: 'json' }, { code: 'BAD_JSON', message: 'The JSON is not in a shape this tool reads. Use an array of rows ([{"input": "…", "output": "…"}, …] or [["input", "output"], …]) or an object of equal-length lists ({"inputs": […], "outputs": […]}).' }],
    ['lists of different lengths', '{"inputs": ["a"], "outputs": ["b", "c"]}', {}, { code: 'BAD_JSON', message: 'The lists in the JSON differ in length: "inputs" has 1 items but "outputs" has 2.' }],
    ['JSON cut short (the column just past its last character)', '[{"input": "a"\n\n', {}, { code: 'BAD_JSON', message: 'Line 1, column 15: this is not valid JSON (it ends too early: a bracket, brace or quote is not closed).', line: 1 }],
    ['single quotes', "[{'input': 'a'}]", {}, { code: 'BAD_JSON', message: 'Line 1, column 3: this is not valid JSON (unexpected "\'"; JSON text needs double quotes).', line: 1 }],
    ['a trailing comma', '[\n  ["a", "b"],\n]', {}, { code: 'BAD_JSON', message: 'Line 3, column 1: this is not valid JSON (unexpected "]"; remove the comma before it).', line: 3 }],
    ['a raw line break in a string', '["a\nb", "c"]', { format: 'json' }, { code: 'BAD_JSON', message: 'Line 1, column 4: this is not valid JSON (a line break or control character inside a text value; write it as \\n or \\t).', line: 1 }],
    ['the only column is the output', 'output\nx\n', { format: 'csv' }, { code: 'MISSING_COLUMN', message: 'The data has only one column ("output"); it needs a column of inputs and a column of outputs.' }],
    ['an unclosed quote at the end of a line', 'input,output\nx,"\ny,z\n', {}, { code: 'UNMATCHED_QUOTE', message: 'Line 2: the quoted field that starts here is never closed (unmatched ").', line: 2 }],
    ['pasted, several commas from the first character', ',a,b\n', { format: 'pasted' }, { code: 'BAD_ROW', message: 'Line 1: it has several commas, so where the input ends is unclear. Write each pair as input<TAB>output or input => output.', line: 1 }],
    ['JSON cut right after a value', '[1', {}, { code: 'BAD_JSON', message: 'Line 1, column 3: this is not valid JSON (it ends too early: a bracket, brace or quote is not closed).', line: 1 }],
    ['a trailing comma in an object', '{"inputs": [1],}', {}, { code: 'BAD_JSON', message: 'Line 1, column 16: this is not valid JSON (unexpected "}"; remove the comma before it).', line: 1 }],
    ['a wrong closing bracket', '{"inputs": [1]]', {}, { code: 'BAD_JSON', message: 'Line 1, column 15: this is not valid JSON (unexpected "]").', line: 1 }],
    ['JSON nested too deep for the walker: the engine says why', '['.repeat(200_000), { format: 'json' }, { code: 'BAD_JSON', message: 'Line 1: this is not valid JSON (Unexpected end of JSON input).', line: 1 }],
    ['a bad JSONL line', '{"input": "a", "output": "b"}\n{"input": x}\n', { format: 'jsonl' }, { code: 'BAD_JSON', message: 'Line 2, column 11: this line is not valid JSON (unexpected "x").', line: 2 }],
  ])('%s', (_what, text, opts, expected) => {
    expect(refusal(text, opts as ParseOptions)).toEqual(expected);
  });
});

describe('row problems, word for word', () => {
  it('extra fields (with the comma hint in CSV only), missing ones, repeated and empty header names', () => {
    expect(parseTable('input,output\na,b,c\n').rowProblems).toEqual([{ line: 2, message: 'Line 2 has 3 fields but the header has 2; the extra ones are ignored (a comma in a value that is not in quotes?).' }]);
    expect(parseTable('input\toutput\na\tb\tc\n').rowProblems).toEqual([{ line: 2, message: 'Line 2 has 3 fields but the header has 2; the extra ones are ignored.' }]);
    expect(parseTable('input,output,note\na,b\n').rowProblems).toEqual([{ line: 2, message: 'Line 2 has 2 fields but the header has 3; "note" is missing.' }]);
    expect(parseTable('input,output,x,y\na,b\n').rowProblems).toEqual([{ line: 2, message: 'Line 2 has 2 fields but the header has 4; "x", "y" are missing.' }]);
    const t = parseTable('input,input,,output,input\na,b,c,d,e\n');
    expect(t.columns).toEqual(['input', 'input (2)', 'column 3', 'output', 'input (3)']);
    expect(t.rowProblems).toEqual([
      { line: 1, message: 'Line 1: column 2 repeats the name "input"; it is called "input (2)" here.' },
      { line: 1, message: 'Line 1: column 5 repeats the name "input"; it is called "input (3)" here.' },
    ]);
  });
});

describe('what the parsers keep', () => {
  it('CSV and TSV rows carry their lines, JSON rows none', () => {
    expect(parseTable('\ninput,output\na,b\n\nc,d\n').lines).toEqual([3, 5]);
    expect(parseTable('[{"input": "a", "output": "b"}]').lines).toBeUndefined();
    expect(parseTable('a => b\nc => d', { format: 'pasted' }).lines).toEqual([1, 2]);
  });

  it('chooses the output by name and the input as the first other column, whatever the order', () => {
    const p = parsePairs('output,x\n1,2\n');
    expect([p.inputColumn, p.outputColumn]).toEqual(['x', 'output']);
    const q = parsePairs('a, Output ,b\n1,2,3\n');
    expect([q.inputColumn, q.outputColumn, q.inputs[0], q.outputs[0]]).toEqual(['a', 'Output', '1', '2']);
    expect(parsePairs('q,a\n1,2\n', { inputColumn: ' Q ' }).inputColumn).toBe('q');
  });

  it('takes an exact column name before a case-insensitive one, and finds names with spaces around them', () => {
    expect(parsePairs('a,A,b\n1,2,3\n', { inputColumn: 'a', outputColumn: 'b' }).inputs).toEqual(['1']);
    const j = parsePairs('[{" Input ": "x", " q ": "y", "output": "z"}]');
    expect([j.inputColumn, j.outputColumn]).toEqual([' Input ', 'output']);
    expect(parsePairs('[{" q ": "y", "output": "z"}]', { inputColumn: 'Q' }).inputColumn).toBe(' q ');
    expect(thrown(() => parsePairs('q,a\nx,y\n', { inputColumn: 'question' }), DataParseError).columns).toEqual(['q', 'a']);
  });

  it('chooses input and output by whole names only: "my_input" or "outputs_raw" are ordinary columns', () => {
    const pick = (header: string) => {
      const p = parsePairs(`${header}\n1,2,3\n`);
      return [p.inputColumn, p.outputColumn];
    };
    expect(pick('x,inputs_raw,output')).toEqual(['x', 'output']);
    expect(pick('x,raw_input,output')).toEqual(['x', 'output']);
    expect(pick('outputs_raw,x,y')).toEqual(['outputs_raw', 'x']);
    expect(pick('raw_output,x,y')).toEqual(['raw_output', 'x']);
  });

  it('skips lines of spaces in CSV and JSONL', () => {
    expect(parsePairs('input,output\n   \nx,y\n').inputs).toEqual(['x']);
    expect(parsePairs('{"input": "a", "output": "b"}\n   \n{"input": "c", "output": "d"}\n', { format: 'jsonl' }).inputs).toEqual(['a', 'c']);
  });

  it('reads pasted lines verbatim around their separator, dropping a CR and blank lines', () => {
    const p = parsePairs(' x \ty \r\n\n a => b \n c , d\n', { format: 'pasted' });
    expect(p.inputs).toEqual([' x ', ' a', ' c ']);
    expect(p.outputs).toEqual(['y ', 'b ', ' d']);
  });

  it('reads JSON values as text: numbers and booleans as written, null as empty, nested values as JSON', () => {
    const p = parsePairs('{"inputs": [1, true, {"k": [2]}], "outputs": ["a", false, 3.5]}');
    expect(p.inputs).toEqual(['1', 'true', '{"k":[2]}']);
    expect(p.outputs).toEqual(['a', 'false', '3.5']);
    expect(refusal('{"inputs": ["a"], "outputs": [null]}')).toEqual({ code: 'EMPTY_OUTPUT', message: 'Item 1: the output (column "outputs") is empty. Every row needs an output.' });
  });
});
