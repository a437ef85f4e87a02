import { describe, expect, it } from 'vitest';
import { DataParseError, decodeUtf8, parsePairs, parseTable, sniffFormat, type DataParseErrorCode } from './parsePairs.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Runs fn, expecting a DataParseError with `code` (and `line` when given); returns it. */
function failure(fn: () => unknown, code: DataParseErrorCode, line?: number): DataParseError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DataParseError);
  const err = caught as DataParseError;
  expect({ code: err.code, line: err.line }).toEqual({ code, line });
  if (line !== undefined) expect(err.message).toMatch(new RegExp(`^Line ${line}\\b`));
  return err;
}

describe('CSV', () => {
  it('reads quoted commas, doubled quotes and newlines inside fields', () => {
    const csv = 'input,output\n"a, b","say ""hi"""\n"two\nlines",x\nplain,"y\n\nz"\n';
    const p = parsePairs(csv, { format: 'csv' });
    expect(p.inputs).toEqual(['a, b', 'two\nlines', 'plain']);
    expect(p.outputs).toEqual(['say "hi"', 'x', 'y\n\nz']);
    expect(p.rowProblems).toEqual([]);
  });

  it('counts lines across multi-line fields when naming a row', () => {
    // Row 3 starts on file line 5 because row 2 spans lines 3-4.
    const csv = 'input,output\na,b\n"c\nd",e\nf, \n';
    failure(() => parsePairs(csv, { format: 'csv' }), 'EMPTY_OUTPUT', 5);
  });

  it('ignores a byte-order mark, in text and in bytes', () => {
    const csv = '\uFEFFinput,output\nx,y\n';
    expect(parseTable(csv, { format: 'csv' }).columns).toEqual(['input', 'output']);
    const p = parsePairs(utf8(csv), { fileName: 'd.csv' });
    expect(p.columns).toEqual(['input', 'output']);
    expect(p.inputs).toEqual(['x']);
    // Papa and TextDecoder drop it on their own; JSON.parse and the pasted splitter would not.
    expect(parsePairs('\uFEFF[["a", "b"]]').inputs).toEqual(['a']);
    expect(parsePairs('\uFEFFa => b', { format: 'pasted' }).inputs).toEqual(['a']);
  });

  it('reads CRLF (also inside quotes and mixed with LF) and ignores trailing empty lines', () => {
    const csv = 'input,output\r\n1,"a\r\nb"\r\n2,c\n3,d\r\n\r\n\r\n';
    const t = parseTable(csv, { format: 'csv' });
    expect(t.rows.map((r) => r.output)).toEqual(['a\nb', 'c', 'd']);
    expect(t.lines).toEqual([2, 4, 5]);
  });

  it('keeps values verbatim (leading and trailing spaces) but trims header names', () => {
    const p = parsePairs(' input , output \n  x , y.  \n', { format: 'csv' });
    expect([p.inputColumn, p.outputColumn]).toEqual(['input', 'output']);
    expect([p.inputs[0], p.outputs[0]]).toEqual(['  x ', ' y.  ']);
  });

  it('reports rows with extra or missing fields as row problems, and renames repeated headers', () => {
    const t = parseTable('a,b,a\n1,2,3\n4,5,6,7\n8,9\n', { format: 'csv' });
    expect(t.columns).toEqual(['a', 'b', 'a (2)']);
    expect(t.rows[1]).toEqual({ a: '4', b: '5', 'a (2)': '6' });
    expect(t.rowProblems.map((p) => p.line)).toEqual([1, 3, 4]);
    expect(t.rowProblems[2].message).toContain('"a (2)" is missing');
  });

  it('is an error when the chosen column is missing from a short row (BAD_ROW with its line)', () => {
    failure(() => parsePairs('input,output\na,b\nc\n', { format: 'csv' }), 'BAD_ROW', 3);
  });
});

describe('hostile column names and many problems', () => {
  it('reads columns called __proto__ and constructor as ordinary columns', () => {
    const p = parsePairs('__proto__,constructor\n a , b \nc,d\n', { format: 'csv', inputColumn: '__proto__', outputColumn: 'constructor' });
    expect(p.inputs).toEqual([' a ', 'c']);
    expect(p.outputs).toEqual([' b ', 'd']);
    const t = parseTable('x,__proto__\n1,2\n', { format: 'csv' });
    expect(t.columns).toEqual(['x', '__proto__']);
    expect(t.rows[0].__proto__).toBe('2');
    // A row without the column reads nothing, not Object.prototype.
    const json = parseTable('[{"constructor":"a","__proto__":"b"},{"x":"1"}]', { format: 'json' });
    expect(json.rows[1].constructor).toBeUndefined();
    expect(json.rows[0].__proto__).toBe('b');
  });

  it('lists the first 100 row problems and says how many more there are', () => {
    const bad = Array.from({ length: 130 }, (_, i) => `${i},${i},extra`).join('\n');
    const t = parseTable(`a,b\n${bad}\n`, { format: 'csv' });
    expect(t.rowProblems).toHaveLength(101);
    expect(t.rowProblems[100]).toEqual({ line: 0, message: '…and 30 more rows with problems.' });
  });
});

describe('TSV', () => {
  it('reads tab-separated data with a header', () => {
    const p = parsePairs('x\tinput\toutput\n1\ta, b\tc\n2\t"q\tr"\ts\n', { fileName: 'data.TSV' });
    expect(p.format).toBe('tsv');
    expect(p.inputs).toEqual(['a, b', 'q\tr']);
    expect(p.outputs).toEqual(['c', 's']);
  });
});

describe('JSON', () => {
  it('reads an array of objects, choosing fields by name and stringifying numbers', () => {
    const json = '[{"q": 1, "a": 2, "note": null}, {"q": 3.5, "a": true, "note": {"k": 1}}]';
    const p = parsePairs(json, { format: 'json', inputColumn: 'q', outputColumn: 'a' });
    expect(p.columns).toEqual(['q', 'a', 'note']);
    expect(p.inputs).toEqual(['1', '3.5']);
    expect(p.outputs).toEqual(['2', 'true']);
    expect(parseTable(json, { format: 'json' }).rows[1].note).toBe('{"k":1}');
  });

  it('reads an array of [input, output] pairs', () => {
    const p = parsePairs('[["2", "4"], [3, 6]]', { fileName: 'pairs.json' });
    expect(p.inputs).toEqual(['2', '3']);
    expect(p.outputs).toEqual(['4', '6']);
  });

  it('reads {"inputs": [...], "outputs": [...]} and rejects unequal lengths', () => {
    const p = parsePairs('{"inputs": ["a", "b"], "outputs": ["A", "B"]}', { format: 'json' });
    expect([p.inputColumn, p.outputColumn]).toEqual(['inputs', 'outputs']);
    expect(p.inputs).toEqual(['a', 'b']);
    expect(p.outputs).toEqual(['A', 'B']);
    const err = failure(() => parsePairs('{"inputs": ["a", "b"], "outputs": ["A"]}', { format: 'json' }), 'BAD_JSON');
    expect(err.message).toContain('"outputs" has 1');
  });

  it('names the line and column of a syntax error', () => {
    const json = '[\n  {"input": "a", "output": "b"},\n  {"input": "c", "output": "d"},\n]\n';
    const err = failure(() => parsePairs(json, { format: 'json' }), 'BAD_JSON', 4);
    expect(err.column).toBe(1);
    expect(err.message).toContain('remove the comma');
    const quotes = failure(() => parsePairs("[\n{'input': 1}]", { format: 'json' }), 'BAD_JSON', 2);
    expect(quotes.column).toBe(2);
    failure(() => parsePairs('[\n {"input": "a",\n  "output": "b"}\n', { format: 'json' }), 'BAD_JSON', 3);
    const raw = failure(() => parsePairs('[\n["a", "b\nc"]]', { format: 'json' }), 'BAD_JSON', 2);
    expect(raw.message).toContain('line break');
  });

  it('names the line of a bad item in a pretty-printed array', () => {
    const json = '[\n  {"input": "a", "output": "b"},\n  {\n    "input": "c",\n    "output": "  "\n  }\n]';
    const err = failure(() => parsePairs(json, { format: 'json' }), 'EMPTY_OUTPUT', 3);
    expect(err.message).toContain('item 2');
    failure(() => parsePairs('[\n["a", "b"],\n["c"]\n]', { format: 'json' }), 'BAD_ROW', 3);
  });
});

describe('JSONL', () => {
  it('reads one object per non-empty line', () => {
    const p = parsePairs('{"input": "a", "output": "b"}\r\n\n{"input": "c", "output": 7}\n', { fileName: 'x.jsonl' });
    expect(p.format).toBe('jsonl');
    expect(p.inputs).toEqual(['a', 'c']);
    expect(p.outputs).toEqual(['b', '7']);
  });

  it('names the bad line', () => {
    const text = '{"input": "a", "output": "b"}\n\n{"input": "c", "output": }\n';
    const err = failure(() => parsePairs(text, { format: 'jsonl' }), 'BAD_JSON', 3);
    expect(err.column).toBe(26);
    failure(() => parsePairs('{"input": "a", "output": "b"}\n42\n', { format: 'jsonl' }), 'BAD_ROW', 2);
    failure(() => parsePairs('{"input": "a", "output": "b"}\n{"input": "c"}\n', { format: 'jsonl' }), 'BAD_ROW', 2);
  });
});

describe('pasted text', () => {
  it('splits on the first tab, keeping the rest verbatim', () => {
    const p = parsePairs('a b\t c\td\r\n\n\ne\tf\n', { format: 'pasted' });
    expect(p.inputs).toEqual(['a b', 'e']);
    expect(p.outputs).toEqual([' c\td', 'f']);
  });

  it('splits on the first =>, trimming only the spaces around the arrow', () => {
    const p = parsePairs(' 2 + 2 => 4 \nx=>y => z\n', { format: 'pasted' });
    expect(p.inputs).toEqual([' 2 + 2', 'x']);
    expect(p.outputs).toEqual(['4 ', 'y => z']);
  });

  it('takes a single comma as a last resort', () => {
    const p = parsePairs('cat,animal\n', { format: 'pasted' });
    expect([p.inputs, p.outputs]).toEqual([['cat'], ['animal']]);
  });

  it('is an error when a line has no separator (or several commas)', () => {
    failure(() => parsePairs('a => b\n\nno separator here\n', { format: 'pasted' }), 'BAD_ROW', 3);
    failure(() => parsePairs('a => b\nx,y,z\n', { format: 'pasted' }), 'BAD_ROW', 2);
  });
});

describe('columns', () => {
  it('chooses columns by name, defaulting to input/output in any case, else the first two', () => {
    const csv = 'id,Output,Input\n1,o,i\n';
    const byDefault = parsePairs(csv, { format: 'csv' });
    expect([byDefault.inputColumn, byDefault.outputColumn, byDefault.inputs[0], byDefault.outputs[0]]).toEqual(['Input', 'Output', 'i', 'o']);
    const chosen = parsePairs(csv, { format: 'csv', inputColumn: 'id', outputColumn: 'Input' });
    expect([chosen.inputs[0], chosen.outputs[0]]).toEqual(['1', 'i']);
    const anyCase = parsePairs(csv, { format: 'csv', inputColumn: 'ID', outputColumn: 'input' });
    expect([anyCase.inputColumn, anyCase.outputColumn]).toEqual(['id', 'Input']);
    const firstTwo = parsePairs('q,a,z\n1,2,3\n', { format: 'csv' });
    expect([firstTwo.inputColumn, firstTwo.outputColumn]).toEqual(['q', 'a']);
  });

  it('is MISSING_COLUMN, listing the columns, for an unknown name or a single column', () => {
    const err = failure(() => parsePairs('q,a\n1,2\n', { format: 'csv', outputColumn: 'answer' }), 'MISSING_COLUMN');
    expect(err.columns).toEqual(['q', 'a']);
    expect(err.message).toContain('"answer"');
    expect(err.message).toContain('"q", "a"');
    failure(() => parsePairs('[{"only": 1}]', { format: 'json' }), 'MISSING_COLUMN');
  });
});

describe('malformed data', () => {
  it('names the line where an unclosed quoted field starts', () => {
    const csv = 'input,output\na,b\nc,"never closed\nd,e\nf,g\n';
    const err = failure(() => parsePairs(csv, { format: 'csv' }), 'UNMATCHED_QUOTE', 3);
    expect(err.message).toBe('Line 3: the quoted field that starts here is never closed (unmatched ").');
    failure(() => parsePairs('input,output\r\n"ok\r\nstill",x\r\ny,"z\r\n', { format: 'csv' }), 'UNMATCHED_QUOTE', 4);
    const inner = failure(() => parsePairs('input,output\na,b\n"5" inches,x\ny,"z"\n', { format: 'csv' }), 'UNMATCHED_QUOTE', 3);
    expect(inner.message).toContain('write a quote as ""');
    failure(() => parsePairs('input,output\na,b\n"5" inches,x\n', { format: 'csv' }), 'UNMATCHED_QUOTE', 3);
  });

  it('is EMPTY_OUTPUT / EMPTY_INPUT naming the line', () => {
    failure(() => parsePairs('input,output\na,b\nc,\t \n', { format: 'csv' }), 'EMPTY_OUTPUT', 3);
    failure(() => parsePairs('input\toutput\na\tb\n\n \tc\n', { format: 'tsv' }), 'EMPTY_INPUT', 4);
    failure(() => parsePairs('a => b\nc =>\n', { format: 'pasted' }), 'EMPTY_OUTPUT', 2);
  });

  it('is NOT_UTF8 naming the line of the first bad byte', () => {
    const bytes = new Uint8Array([...utf8('input,output\ncafé,1\n'), 0x63, 0x61, 0x66, 0xe9, 0x2c, 0x32, 0x0a]); // Latin-1 é on line 3
    failure(() => parsePairs(bytes, { format: 'csv' }), 'NOT_UTF8', 3);
    failure(() => decodeUtf8(new Uint8Array([0x61, 0x0a, 0x0a, 0xf0, 0x9f, 0x98])), 'NOT_UTF8', 3); // truncated emoji
    failure(() => decodeUtf8(new Uint8Array([0xff, 0xfe, 0x61, 0x00])), 'NOT_UTF8', 1); // UTF-16
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('ok 😀')]))).toBe('ok 😀');
  });

  it('is TOO_LARGE naming the size and the limit, for text and for bytes', () => {
    const text = 'input,output\n' + 'a,b\n'.repeat(1000);
    const err = failure(() => parsePairs(text, { maxBytes: 1024 }), 'TOO_LARGE');
    expect(err.message).toContain(`${text.length} bytes`);
    expect(err.message).toContain('1.0 KB limit');
    failure(() => parsePairs(utf8(text), { maxBytes: 1024 }), 'TOO_LARGE');
    failure(() => parseTable('é'.repeat(600), { maxBytes: 1024 }), 'TOO_LARGE'); // 1200 bytes in 600 characters
    expect(parsePairs(text, { maxBytes: 100_000 }).inputs).toHaveLength(1000);
  });

  it('is NO_ROWS for empty data or a header alone', () => {
    failure(() => parsePairs(''), 'NO_ROWS');
    failure(() => parsePairs('input,output\n\n', { format: 'csv' }), 'NO_ROWS');
    failure(() => parsePairs('[]', { format: 'json' }), 'NO_ROWS');
  });

  it('serializes for postMessage', () => {
    const err = failure(() => parsePairs('a => b\nbad\n', { format: 'pasted' }), 'BAD_ROW', 2);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: 'BAD_ROW', line: 2, message: err.message });
  });
});

describe('format detection', () => {
  it('follows the extension, then the content', () => {
    expect(parsePairs('{"input": "a", "output": "b"}\n', { fileName: 'd.jsonl' }).format).toBe('jsonl');
    expect(sniffFormat('[\n {"input": 1, "output": 2}\n]')).toBe('json');
    expect(sniffFormat('{"input": 1, "output": 2}\n{"input": 3, "output": 4}\n')).toBe('jsonl');
    expect(sniffFormat('\n{"inputs": [1], "outputs": [2]}\n')).toBe('json');
    expect(sniffFormat('Input\tOutput\na\tb\n')).toBe('tsv');
    expect(sniffFormat('a\tb\nc\td\n')).toBe('pasted');
    expect(sniffFormat('2 + 2 => 4\n')).toBe('pasted');
    expect(sniffFormat('q,a\n1,2\n')).toBe('csv');
    expect(sniffFormat('one column\n')).toBe('pasted');
    expect(parsePairs('x => y\n', { fileName: 'notes.txt' }).format).toBe('pasted');
  });
});

describe('scale', () => {
  it('parses 100,000 CSV rows (quoted, some multi-line) and 100,000 JSONL lines', () => {
    const n = 100_000;
    const lines = ['input,output'];
    for (let i = 0; i < n; i++) lines.push(i % 1000 === 0 ? `"row ${i},\nwrapped",out ${i}` : `"row ${i}, ${'x'.repeat(120)}",out ${i}`);
    const p = parsePairs(lines.join('\n'), { format: 'csv' });
    expect(p.inputs).toHaveLength(n);
    expect(p.outputs[n - 1]).toBe(`out ${n - 1}`);
    expect(p.inputs[1000]).toBe('row 1000,\nwrapped');

    const jsonl = Array.from({ length: n }, (_, i) => JSON.stringify({ input: `in ${i}`, output: `out ${i}` })).join('\n');
    const q = parsePairs(jsonl, { format: 'jsonl' });
    expect(q.outputs).toHaveLength(n);
    expect(q.inputs[n - 1]).toBe(`in ${n - 1}`);
  });
});
