/** Strict UTF-8 decoding with a line number for the first bad byte, and UTF-8 sizes of strings. */
import { formatBytes } from '../util/format.ts';
import { DataParseError } from './errors.ts';

/**
 * Decodes UTF-8 strictly (TextDecoder fatal: true; it drops a leading byte-order mark). Invalid
 * bytes -> DataParseError NOT_UTF8 naming the line of the first bad byte: silently replacing them
 * with U+FFFD would put garbage in front of the language model.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      // Excel's "Unicode text" export.
      throw new DataParseError('NOT_UTF8', 'Line 1: the file is UTF-16 text, not UTF-8. Save it as UTF-8 (e.g. "CSV UTF-8") and try again.', { line: 1 });
    }
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = bytes.indexOf(0x0a); i !== -1 && i < at; i = bytes.indexOf(0x0a, i + 1)) line++;
    const hex = at < bytes.length ? `0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')}` : 'an incomplete character';
    throw new DataParseError(
      'NOT_UTF8',
      `Line ${line}: the file is not UTF-8 text (${hex} at byte ${at} cannot be decoded). Save the file as UTF-8 and try again.`,
      { line },
    );
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (per the WHATWG decoder's rules), or bytes.length. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    // The first continuation byte's range excludes overlong forms, surrogates and > U+10FFFF.
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || d < lo || d > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return n;
}

/** Bytes `s` takes as UTF-8 (a lone surrogate counted as 2, not 3: close enough for a size limit). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** TOO_LARGE when `size` bytes is over `maxBytes`. */
export function checkSize(size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new DataParseError('TOO_LARGE', `The data is ${formatBytes(size)} (${size} bytes), over the ${formatBytes(maxBytes)} limit. Use a smaller sample of it.`);
  }
}

/** checkSize for a string without measuring it when its length settles the question (UTF-8 takes 1-3 bytes per UTF-16 unit). */
export function checkTextSize(text: string, maxBytes: number): void {
  if (text.length * 3 <= maxBytes) return;
  checkSize(utf8Length(text), maxBytes);
}
