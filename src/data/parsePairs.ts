/**
 * Turns a user's file or pasted text into input -> output pairs for iPrompt. Pure TypeScript (no
 * DOM, no Node APIs): it runs in the browser's worker and in Node alike.
 *
 * Formats: CSV and TSV with a header row (papaparse; quoted fields may hold delimiters, doubled
 * quotes and newlines, TSV quoting as spreadsheets export it); JSON (an array of objects, an array
 * of [input, output] pairs, or an object of equal-length lists such as {"inputs": [...],
 * "outputs": [...]}); JSONL (one object or pair per line); pasted text (one pair per line).
 *
 * Errors are DataParseError with a code and a message an end user can act on, naming the 1-based
 * line in the file where there is one. Fatal, by policy: a quote never closed, a row that lacks the
 * chosen input or output column (BAD_ROW), an empty input or output, bad JSON. Non-fatal (reported
 * in rowProblems for a preview): CSV/TSV rows with more or fewer fields than the header when the
 * chosen columns are still there, and repeated header names (renamed "name (2)").
 *
 * Values are strings, kept verbatim (never trimmed: a leading space in an output matters to the
 * language model); only CRLF inside quoted CSV fields becomes LF. Everything is linear in the size.
 */
import Papa from 'papaparse';
import { countNewlines, DataParseError, lineColAt } from './errors.ts';
import { jsonArrayItemOffset, jsonErrorOffset } from './jsonScan.ts';
import { checkSize, checkTextSize, decodeUtf8, DEFAULT_MAX_BYTES } from './utf8.ts';

export { DataParseError, type DataParseErrorCode, type SerializedDataParseError } from './errors.ts';
export { decodeUtf8, DEFAULT_MAX_BYTES } from './utf8.ts';

export type DataFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'pasted';

export interface ParseOptions {
  /** Default: from fileName's extension, else sniffed from the content (see sniffFormat). */
  format?: DataFormat;
  fileName?: string;
  /** Column (or JSON field) of the inputs. Default: "input" (or "inputs", any case) if present, else the first other column. */
  inputColumn?: string;
  /** Default: "output" (or "outputs", any case) if present, else the first column that isn't the input. */
  outputColumn?: string;
  /** Default 50 MB; more -> TOO_LARGE. */
  maxBytes?: number;
}

/** A non-fatal problem with one row, for a preview to show. */
export interface RowProblem {
  /** 1-based; 0 on the one summary entry that stands for problems past the first 100. */
  line: number;
  message: string;
}

export interface ParsedTable {
  format: DataFormat;
  columns: string[];
  /** Header-keyed; a row lacks a key when its CSV line had too few fields. */
  rows: Record<string, string>[];
  /** The 1-based line each row starts on; absent for JSON (rows are array items there). */
  lines?: number[];
  rowProblems: RowProblem[];
}

export interface ParsedPairs {
  format: DataFormat;
  columns: string[];
  inputColumn: string;
  outputColumn: string;
  inputs: string[];
  outputs: string[];
  rowProblems: RowProblem[];
}

/** Kept in rowProblems; past this one summary line stands for the rest. */
const MAX_PROBLEMS = 100;

const EXTENSIONS: Record<string, DataFormat> = { csv: 'csv', tsv: 'tsv', tab: 'tsv', json: 'json', jsonl: 'jsonl', ndjson: 'jsonl' };

/** The format a file name's extension says, if it says one (.txt says nothing: its content is sniffed). */
export function formatFromFileName(fileName: string | undefined): DataFormat | undefined {
  const dot = fileName?.lastIndexOf('.') ?? -1;
  return dot < 0 ? undefined : EXTENSIONS[fileName!.slice(dot + 1).toLowerCase()];
}

const HEADER_NAME = /^(input|output)s?$/i;

/**
 * Guesses the format from the text alone, looking at the first non-empty line:
 * 1. it starts with `[` or `{`: JSONL when that line is a complete JSON value by itself and another
 *    non-empty line follows, else JSON;
 * 2. it has a tab: TSV when one of its cells is named input/output (a header row), else pasted
 *    pairs (tab-separated lines without a header are what copying two spreadsheet columns gives);
 * 3. it has `=>`: pasted;
 * 4. it has a comma: CSV (whose first line is the header);
 * 5. otherwise pasted (which then reports the line with no separator).
 */
export function sniffFormat(text: string): DataFormat {
  let first: string | undefined;
  let more = false;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    if (first !== undefined) {
      more = true;
      break;
    }
    first = line;
  }
  if (first === undefined) return 'pasted';
  const head = first.trimStart()[0];
  if (head === '[' || head === '{') return more && parsesAsJson(first) ? 'jsonl' : 'json';
  if (first.includes('\t')) return first.split('\t').some((c) => HEADER_NAME.test(c.trim())) ? 'tsv' : 'pasted';
  if (first.includes('=>')) return 'pasted';
  return first.includes(',') ? 'csv' : 'pasted';
}

function parsesAsJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** Parses text into a header-keyed table (no column choice, no empty-value checks). */
export function parseTable(text: string, opts: ParseOptions = {}): ParsedTable {
  checkTextSize(text, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  return readTable(stripBom(text), opts).table;
}

/** Parses a file's bytes (strict UTF-8) or text into input/output pairs. */
export function parsePairs(textOrBytes: string | Uint8Array, opts: ParseOptions = {}): ParsedPairs {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let text: string;
  if (typeof textOrBytes === 'string') {
    checkTextSize(textOrBytes, maxBytes);
    text = stripBom(textOrBytes);
  } else {
    checkSize(textOrBytes.length, maxBytes);
    text = decodeUtf8(textOrBytes); // drops the BOM
  }
  const { table, locate } = readTable(text, opts);
  const { columns, rows } = table;
  const [inputColumn, outputColumn] = chooseColumns(columns, opts);
  const inputs = new Array<string>(rows.length);
  const outputs = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const input = rows[i][inputColumn];
    const output = rows[i][outputColumn];
    if (input === undefined || output === undefined) {
      const { label, line } = locate(i);
      const missing = input === undefined ? inputColumn : outputColumn;
      const why = table.format === 'csv' || table.format === 'tsv' ? ' (the row has fewer fields than the header)' : '';
      throw new DataParseError('BAD_ROW', `${label}: there is no value for column "${missing}"${why}.`, { line });
    }
    if (input.trim() === '') {
      const { label, line } = locate(i);
      throw new DataParseError('EMPTY_INPUT', `${label}: the input (column "${inputColumn}") is empty. Every row needs an input.`, { line });
    }
    if (output.trim() === '') {
      const { label, line } = locate(i);
      throw new DataParseError('EMPTY_OUTPUT', `${label}: the output (column "${outputColumn}") is empty. Every row needs an output.`, { line });
    }
    inputs[i] = input;
    outputs[i] = output;
  }
  return { format: table.format, columns, inputColumn, outputColumn, inputs, outputs, rowProblems: table.rowProblems };
}

/** [input, output] column names: the ones asked for (exact name, else a unique case-insensitive match), else the defaults. */
function chooseColumns(columns: string[], opts: ParseOptions): [string, string] {
  const find = (name: string): string => {
    if (columns.includes(name)) return name;
    const loose = columns.filter((c) => c.trim().toLowerCase() === name.trim().toLowerCase());
    if (loose.length === 1) return loose[0];
    throw new DataParseError('MISSING_COLUMN', `There is no column named "${name}". The columns are: ${columns.map((c) => `"${c}"`).join(', ')}.`, { columns });
  };
  const named = (re: RegExp) => columns.find((c) => re.test(c.trim()));
  const input = opts.inputColumn !== undefined ? find(opts.inputColumn) : named(/^inputs?$/i);
  const output = opts.outputColumn !== undefined ? find(opts.outputColumn) : named(/^outputs?$/i);
  const inputColumn = input ?? columns.find((c) => c !== output);
  const outputColumn = output ?? columns.find((c) => c !== inputColumn);
  if (inputColumn === undefined || outputColumn === undefined) {
    throw new DataParseError('MISSING_COLUMN', `The data has only one column ("${columns[0]}"); it needs a column of inputs and a column of outputs.`, { columns });
  }
  return [inputColumn, outputColumn];
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Where row i is, for messages: its line where known (JSON finds it only when asked, on an error path). */
type Locate = (i: number) => { label: string; line?: number };

function readTable(text: string, opts: ParseOptions): { table: ParsedTable; locate: Locate } {
  const format = opts.format ?? formatFromFileName(opts.fileName) ?? sniffFormat(text);
  const out = new TableBuilder(format);
  let locate: Locate = (i) => ({ label: `Line ${out.lines[i]}`, line: out.lines[i] });
  if (format === 'csv' || format === 'tsv') readDelimited(text, format === 'csv' ? ',' : '\t', out);
  else if (format === 'jsonl') readJsonl(text, out);
  else if (format === 'pasted') readPasted(text, out);
  else locate = readJson(text, out);
  if (out.rows.length === 0) {
    const why = out.headerLine ? 'there is a header row but no data rows under it' : 'there are no rows';
    throw new DataParseError('NO_ROWS', `The data is empty: ${why}.`);
  }
  return { table: out.finish(format !== 'json'), locate };
}

/** Collects rows, the union of their columns in first-seen order, line numbers and problems. */
class TableBuilder {
  readonly columns: string[] = [];
  private readonly seen = new Set<string>();
  readonly rows: Record<string, string>[] = [];
  readonly lines: number[] = [];
  private readonly problems: RowProblem[] = [];
  private omitted = 0;
  headerLine = 0;

  constructor(readonly format: DataFormat) {}

  addColumns(names: Iterable<string>): void {
    for (const c of names) {
      if (!this.seen.has(c)) {
        this.seen.add(c);
        this.columns.push(c);
      }
    }
  }

  add(row: Record<string, string>, line = 0): void {
    this.rows.push(row);
    this.lines.push(line);
  }

  problem(line: number, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, message });
    else this.omitted++;
  }

  finish(withLines: boolean): ParsedTable {
    const rowProblems = this.problems.slice();
    if (this.omitted > 0) rowProblems.push({ line: 0, message: `…and ${this.omitted} more rows with problems.` });
    const table: ParsedTable = { format: this.format, columns: this.columns, rows: this.rows, rowProblems };
    if (withLines) table.lines = this.lines;
    return table;
  }
}

/**
 * Rows inherit from an empty null-prototype object, so columns called "__proto__" or "constructor"
 * are ordinary keys and a missing one reads undefined. (Object.create(null) itself would do, but V8
 * keeps such objects in slow dictionary mode: 10x slower to build 100k rows.)
 */
const ROW_PROTO: object = Object.create(null);
function newRow(): Record<string, string> {
  return Object.create(ROW_PROTO) as Record<string, string>;
}

function readDelimited(text: string, delimiter: string, out: TableBuilder): void {
  // Papa picks one newline style for the whole file; normalizing CRLF first makes mixed files
  // work and lets line numbers count '\n' alone.
  const src = text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
  const { data, errors } = Papa.parse<string[]>(src, { delimiter, newline: '\n', quoteChar: '"', header: false, skipEmptyLines: false });

  // Papa recovers from bad quotes by guessing; we stop at the first instead. Its index is just past
  // the opening quote. MissingQuotes: no quote closes the field before the end of the file.
  // InvalidQuotes (logged first when both are at one field): a quote inside the field is followed by
  // neither the delimiter nor a line end, as in "5" inches, and Papa went on looking for the close.
  let bad: Papa.ParseError | undefined;
  for (const e of errors) {
    if (e.type === 'Quotes' && e.index !== undefined && (!bad || e.index < bad.index!)) bad = e;
  }
  if (bad) {
    const { line } = lineColAt(src, bad.index! - 1);
    const message =
      bad.code === 'MissingQuotes'
        ? `Line ${line}: the quoted field that starts here is never closed (unmatched ").`
        : `Line ${line}: the quoted field that starts here is not closed properly (unmatched "). Inside quotes, write a quote as ""; ` +
          `the closing quote must be followed by ${delimiter === ',' ? 'a comma' : 'a tab'} or the end of the line.`;
    throw new DataParseError('UNMATCHED_QUOTE', message, { line });
  }

  let header: string[] | undefined;
  let line = 1;
  for (const fields of data) {
    const start = line;
    for (const f of fields) if (f.includes('\n')) line += countNewlines(f);
    line++;
    if (fields.length === 1 && fields[0].trim() === '') continue; // a blank line
    if (!header) {
      header = headerNames(fields, start, out);
      out.headerLine = start;
      out.addColumns(header);
      continue;
    }
    const row = newRow();
    const n = Math.min(fields.length, header.length);
    for (let j = 0; j < n; j++) row[header[j]] = fields[j];
    if (fields.length > header.length) {
      const hint = delimiter === ',' ? ' (a comma in a value that is not in quotes?)' : '';
      out.problem(start, `Line ${start} has ${fields.length} fields but the header has ${header.length}; the extra ones are ignored${hint}.`);
    } else if (fields.length < header.length) {
      const missing = header.slice(fields.length).map((c) => `"${c}"`).join(', ');
      out.problem(start, `Line ${start} has ${fields.length} fields but the header has ${header.length}; ${missing} ${header.length - fields.length > 1 ? 'are' : 'is'} missing.`);
    }
    out.add(row, start);
  }
}

/** Header cells trimmed; an empty one becomes "column N", a repeated one "name (2)". */
function headerNames(cells: string[], line: number, out: TableBuilder): string[] {
  const used = new Set<string>();
  return cells.map((cell, j) => {
    const base = cell.trim() || `column ${j + 1}`;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base} (${k})`;
    if (name !== base) out.problem(line, `Line ${line}: column ${j + 1} repeats the name "${base}"; it is called "${name}" here.`);
    used.add(name);
    return name;
  });
}

/** One pair per line: input<TAB>output, else input => output, else input,output with exactly one comma. */
function readPasted(text: string, out: TableBuilder): void {
  out.addColumns(['input', 'output']);
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    let s = lines[k];
    if (s.endsWith('\r')) s = s.slice(0, -1);
    if (s.trim() === '') continue;
    const line = k + 1;
    let input: string;
    let output: string;
    const tab = s.indexOf('\t');
    const arrow = s.indexOf('=>');
    const comma = s.indexOf(',');
    if (tab >= 0) {
      input = s.slice(0, tab);
      output = s.slice(tab + 1);
    } else if (arrow >= 0) {
      // Only the spaces around the arrow are layout; the rest of the text is kept as typed.
      input = s.slice(0, arrow).trimEnd();
      output = s.slice(arrow + 2).trimStart();
    } else if (comma >= 0 && s.indexOf(',', comma + 1) < 0) {
      input = s.slice(0, comma);
      output = s.slice(comma + 1);
    } else {
      const why = comma >= 0 ? 'it has several commas, so where the input ends is unclear' : 'there is no separator between input and output';
      throw new DataParseError('BAD_ROW', `Line ${line}: ${why}. Write each pair as input<TAB>output or input => output.`, { line });
    }
    const row = newRow();
    row.input = input;
    row.output = output;
    out.add(row, line);
  }
}

function readJsonl(text: string, out: TableBuilder): void {
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const s = lines[k];
    if (s.trim() === '') continue;
    const line = k + 1;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      throw jsonSyntaxError(s, e, line, 'this line is not valid JSON');
    }
    const row = rowOf(value, () => ({ label: `Line ${line}`, line }));
    out.addColumns(Object.keys(row));
    out.add(row, line);
  }
}

/** Reads a JSON document; returns how to locate its rows (array items find their line lazily). */
function readJson(text: string, out: TableBuilder): Locate {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(text, e, 1, 'this is not valid JSON');
  }
  if (Array.isArray(value)) {
    const locate: Locate = (i) => {
      const at = jsonArrayItemOffset(text, i);
      if (at === undefined) return { label: `Item ${i + 1}` };
      const { line } = lineColAt(text, at);
      return { label: `Line ${line} (item ${i + 1})`, line };
    };
    for (let i = 0; i < value.length; i++) {
      const row = rowOf(value[i], () => locate(i));
      out.addColumns(Object.keys(row));
      out.add(row);
    }
    return locate;
  }
  const lists = value !== null && typeof value === 'object' ? Object.entries(value) : [];
  if (lists.length === 0 || !lists.every(([, v]) => Array.isArray(v))) {
    throw new DataParseError(
      'BAD_JSON',
      'The JSON is not in a shape this tool reads. Use an array of rows ([{"input": "…", "output": "…"}, …] or [["input", "output"], …]) or an object of equal-length lists ({"inputs": […], "outputs": […]}).',
    );
  }
  const n = (lists[0][1] as unknown[]).length;
  const odd = lists.find(([, v]) => (v as unknown[]).length !== n);
  if (odd) {
    throw new DataParseError('BAD_JSON', `The lists in the JSON differ in length: "${lists[0][0]}" has ${n} items but "${odd[0]}" has ${(odd[1] as unknown[]).length}.`);
  }
  out.addColumns(lists.map(([k]) => k));
  for (let i = 0; i < n; i++) {
    const row = newRow();
    for (const [k, v] of lists) row[k] = cell((v as unknown[])[i]);
    out.add(row);
  }
  return (i) => ({ label: `Item ${i + 1}` });
}

/** A JSON row: an object (fields by name) or an [input, output] pair; anything else is BAD_ROW where `where` says. */
function rowOf(v: unknown, where: () => { label: string; line?: number }): Record<string, string> {
  const row = newRow();
  if (Array.isArray(v)) {
    if (v.length !== 2) {
      const { label, line } = where();
      throw new DataParseError('BAD_ROW', `${label}: a pair should be [input, output], but this list has ${v.length} items.`, { line });
    }
    row.input = cell(v[0]);
    row.output = cell(v[1]);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) row[k] = cell(x);
  } else {
    const { label, line } = where();
    throw new DataParseError('BAD_ROW', `${label}: expected an object like {"input": "…", "output": "…"} or a pair ["…", "…"], found ${JSON.stringify(v)}.`, { line });
  }
  return row;
}

/** Every value as a string: numbers and booleans via String, null as empty, nested values as JSON. */
function cell(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** BAD_JSON with the line and column of the syntax error (`firstLine` is the file line `text` starts on). */
function jsonSyntaxError(text: string, err: unknown, firstLine: number, what: string): DataParseError {
  let at = jsonErrorOffset(text);
  // Fallback if our walker and the engine disagree: V8 and Firefox put a position in some messages.
  const engineMessage = err instanceof Error ? err.message : String(err);
  if (at === undefined) {
    const m = /position (\d+)/.exec(engineMessage);
    if (m) at = Number(m[1]);
  }
  if (at === undefined) {
    return new DataParseError('BAD_JSON', `Line ${firstLine}: ${what} (${engineMessage}).`, { line: firstLine });
  }
  let detail: string;
  const end = text.trimEnd().length;
  if (at >= end) {
    at = end; // just past the last character, where more was expected, not past trailing blank lines
    detail = 'it ends too early: a bracket, brace or quote is not closed';
  } else {
    const ch = text[at];
    detail = `unexpected ${JSON.stringify(ch)}`;
    if (ch < ' ') detail = 'a line break or control character inside a text value; write it as \\n or \\t';
    else if (ch === "'") detail += '; JSON text needs double quotes';
    else if ((ch === ']' || ch === '}') && text.slice(0, at).trimEnd().endsWith(',')) detail += '; remove the comma before it';
  }
  const { line, column } = lineColAt(text, at);
  const fileLine = firstLine + line - 1;
  return new DataParseError('BAD_JSON', `Line ${fileLine}, column ${column}: ${what} (${detail}).`, { line: fileLine, column });
}
