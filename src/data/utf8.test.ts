/**
 * Strict UTF-8: the first bad byte against an oracle (the longest prefix the platform's fatal
 * TextDecoder accepts), messages with line and byte, UTF-16 detection, sizes against TextEncoder.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { checkSize, checkTextSize, decodeUtf8, firstInvalidUtf8, utf8Length } from './utf8.ts';
import { DataParseError } from './errors.ts';
import { thrown } from '../test/thrown.ts';

const fatal = new TextDecoder('utf-8', { fatal: true });
/** The longest prefix that decodes: an invalid sequence starting at L fails every longer prefix. */
function oracle(b: Uint8Array): number {
  for (let k = b.length; k >= 0; k--) {
    try {
      fatal.decode(b.subarray(0, k));
      return k;
    } catch {
      /* shorter */
    }
  }
  return 0;
}

const error = (fn: () => unknown) => thrown(fn, DataParseError);

describe('firstInvalidUtf8', () => {
  it('agrees with the platform decoder on 3,000 random byte strings, and on each boundary byte', () => {
    const r = mulberry32(9);
    // Bytes drawn around the interesting boundaries (lead bytes, continuation ranges).
    const interesting = [0x00, 0x0a, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    for (let t = 0; t < 3000; t++) {
      const n = 1 + Math.floor(r() * 8);
      const b = Uint8Array.from({ length: n }, () => interesting[Math.floor(r() * interesting.length)]);
      expect(firstInvalidUtf8(b), Array.from(b, (x) => x.toString(16)).join(' ')).toBe(oracle(b));
    }
    for (const lead of [0xe0, 0xed, 0xf0, 0xf4]) {
      for (let c = 0x80; c <= 0xbf; c++) {
        const b = Uint8Array.of(0x41, lead, c, 0x80, 0x80);
        expect(firstInvalidUtf8(b), `${lead.toString(16)} ${c.toString(16)}`).toBe(oracle(b));
      }
    }
  });
});

describe('decodeUtf8', () => {
  it('names the line and the byte of the first bad one', () => {
    const e = error(() => decodeUtf8(Uint8Array.of(0x61, 0x0a, 0x62, 0x0a, 0x63, 0xc3, 0x28)));
    expect(e.code).toBe('NOT_UTF8');
    expect(e.line).toBe(3);
    expect(e.message).toBe('Line 3: the file is not UTF-8 text (0xC3 at byte 5 cannot be decoded). Save the file as UTF-8 and try again.');
    // A single bad byte on line 1, written with two hex digits.
    expect(error(() => decodeUtf8(Uint8Array.of(0x0f, 0x80))).message).toContain('(0x80 at byte 1 cannot');
    // A character cut off at the end.
    expect(error(() => decodeUtf8(Uint8Array.of(0x61, 0xe2, 0x82))).message).toContain('(0xE2 at byte 1 cannot');
  });

  it('recognises UTF-16 (both byte orders) and says how to fix it', () => {
    for (const bom of [[0xff, 0xfe], [0xfe, 0xff]]) {
      const e = error(() => decodeUtf8(Uint8Array.of(...bom, 0x61, 0x00)));
      expect(e.line).toBe(1);
      expect(e.message).toBe('Line 1: the file is UTF-16 text, not UTF-8. Save it as UTF-8 (e.g. "CSV UTF-8") and try again.');
    }
    // Only both bytes together are a byte-order mark.
    expect(error(() => decodeUtf8(Uint8Array.of(0xff, 0x61))).message).toContain('not UTF-8 text (0xFF at byte 0');
    expect(error(() => decodeUtf8(Uint8Array.of(0xfe, 0x61))).message).toContain('not UTF-8 text (0xFE at byte 0');
    expect(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe('a');
  });
});

describe('sizes', () => {
  it('utf8Length is TextEncoder length for well-formed text; a lone surrogate counts 2', () => {
    const r = mulberry32(3);
    const enc = new TextEncoder();
    for (let t = 0; t < 500; t++) {
      const s = Array.from({ length: 1 + Math.floor(r() * 6) }, () => String.fromCodePoint([0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff, 0xe9][Math.floor(r() * 9)])).join('');
      expect(utf8Length(s), s).toBe(enc.encode(s).length);
    }
    expect(utf8Length('\ud800')).toBe(2);
    expect(utf8Length('\udfff')).toBe(2);
    expect(utf8Length('\ud7ff')).toBe(3);
  });

  it('checkSize allows exactly the limit and refuses one byte more, naming both', () => {
    expect(() => checkSize(100, 100)).not.toThrow();
    const e = error(() => checkSize(101, 100));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe('The data is 101 B (101 bytes), over the 100 B limit. Use a smaller sample of it.');
    // checkTextSize measures only when the length alone cannot settle it.
    expect(() => checkTextSize('é'.repeat(50), 100)).not.toThrow();
    expect(() => checkTextSize('é'.repeat(51), 100)).toThrow(/102 bytes/);
    expect(() => checkTextSize('a'.repeat(100), 100)).not.toThrow();
    expect(() => checkTextSize('a'.repeat(101), 100)).toThrow(/101 bytes/);
  });
});
