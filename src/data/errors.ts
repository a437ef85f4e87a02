/**
 * The one error the data parsers throw. Each carries a code the UI can switch on, a message an end
 * user can act on (it already starts with "Line N:" where there is a line), and the line itself.
 */
export type DataParseErrorCode =
  | 'UNMATCHED_QUOTE'
  | 'MISSING_COLUMN'
  | 'EMPTY_OUTPUT'
  | 'EMPTY_INPUT'
  | 'NOT_UTF8'
  | 'BAD_JSON'
  | 'NO_ROWS'
  | 'TOO_LARGE'
  | 'BAD_ROW';

/** What crosses postMessage (an Error subclass loses its class and fields in structured clone). */
export interface SerializedDataParseError {
  code: DataParseErrorCode;
  message: string;
  line?: number;
  column?: number;
  columns?: string[];
}

export class DataParseError extends Error {
  readonly code: DataParseErrorCode;
  /** 1-based line in the file, where the problem has one. */
  readonly line?: number;
  /** 1-based column (JSON syntax errors only). */
  readonly column?: number;
  /** The columns the data has (MISSING_COLUMN), so a UI can offer them. */
  readonly columns?: string[];

  constructor(code: DataParseErrorCode, message: string, where: { line?: number; column?: number; columns?: string[] } = {}) {
    super(message);
    this.name = 'DataParseError';
    this.code = code;
    this.line = where.line;
    this.column = where.column;
    this.columns = where.columns;
  }

  toJSON(): SerializedDataParseError {
    return { code: this.code, message: this.message, line: this.line, column: this.column, columns: this.columns };
  }
}

/** 1-based line and column of a UTF-16 offset in `text` (linear; used on error paths). */
export function lineColAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** How many '\n' are in `s`. */
export function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
