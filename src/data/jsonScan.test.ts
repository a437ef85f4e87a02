import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { jsonArrayItemOffset, jsonErrorOffset } from './jsonScan.ts';

/**
 * Random JSON written by hand (not JSON.stringify), so the writer knows where every top-level
 * item starts and which offsets are structure (brackets, commas, colons, whitespace between
 * tokens): a bad character put at such an offset is a syntax error exactly there.
 */
function writer(seed: number) {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  let out = '';
  const structural: number[] = [];
  const items: number[] = [];
  const ws = () => {
    const w = pick(['', '', ' ', '\n', '\t ', '\r\n']);
    for (let k = 0; k < w.length; k++) structural.push(out.length + k);
    out += w;
  };
  const punct = (c: string) => {
    structural.push(out.length);
    out += c;
  };
  const scalar = () => {
    out += pick(['0', '-12', '3.25', '1e5', '-0.5E-3', 'true', 'false', 'null', '""', '"a b"', '"\\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t"', '"\\u00e9\\uD83D\\uDE00"', '"é 😀"']);
  };
  const value = (depth: number, top = false): void => {
    const kind = depth > 3 ? 0 : pick([0, 0, 1, 2]);
    if (kind === 0) return scalar();
    const n = Math.floor(rnd() * 4);
    punct(kind === 1 ? '[' : '{');
    for (let k = 0; k < n; k++) {
      if (k > 0) punct(',');
      ws();
      if (kind === 2) {
        out += `"k${k}"`;
        ws();
        punct(':');
        ws();
      }
      if (top) items.push(out.length);
      value(depth + 1);
      ws();
    }
    punct(kind === 1 ? ']' : '}');
  };
  return {
    array() {
      ws();
      value(0, false);
      return this.done();
    },
    topArray() {
      ws();
      punct('[');
      const n = 1 + Math.floor(rnd() * 5);
      for (let k = 0; k < n; k++) {
        if (k > 0) punct(',');
        ws();
        items.push(out.length);
        value(1);
        ws();
      }
      punct(']');
      ws();
      return this.done();
    },
    done() {
      return { text: out, structural: [...new Set(structural)].filter((p) => p < out.length && ' \n\t\r[]{},:'.includes(out[p])), items };
    },
  };
}

const parses = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

describe('jsonErrorOffset agrees with JSON.parse', () => {
  it('finds no error in 500 valid texts', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const { text } = writer(seed).array();
      expect(parses(text), text).toBe(true);
      expect(jsonErrorOffset(text), text).toBeUndefined();
    }
  });

  it('says there is an error exactly when JSON.parse fails, over 4000 one-character edits', () => {
    const rnd = mulberry32(77);
    const alphabet = ['"', '\\', ',', ':', '[', ']', '{', '}', '0', '-', '.', 'e', 'u', 't', 'n', ' ', '\u0001', 'x'];
    let invalid = 0;
    for (let trial = 0; trial < 4000; trial++) {
      const { text } = writer(1000 + trial).array();
      const p = Math.floor(rnd() * (text.length + 1));
      const c = alphabet[Math.floor(rnd() * alphabet.length)];
      const op = Math.floor(rnd() * 3);
      const edited = op === 0 ? text.slice(0, p) + c + text.slice(p) : op === 1 ? text.slice(0, p) + c + text.slice(p + 1) : text.slice(0, p) + text.slice(p + 1);
      const ok = parses(edited);
      if (!ok) invalid++;
      expect(jsonErrorOffset(edited) === undefined, JSON.stringify(edited)).toBe(ok);
    }
    expect(invalid).toBeGreaterThan(1000);
  });

  it('puts the error at a bad character written where structure is expected', () => {
    let checked = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { text, structural } = writer(seed).topArray();
      for (const p of structural) {
        const bad = text.slice(0, p) + '#' + text.slice(p + 1);
        expect(jsonErrorOffset(bad), JSON.stringify(bad)).toBe(p);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it.each([
    ['"abc', 4],
    ['"a\\x"', 3],
    ['"\\u12G4"', 2],
    ['"\\u12"', 2],
    ['"a\u0001"', 2],
    ['"a\\', 3],
    ['[1,]', 3],
    ['{"a" 1}', 5],
    ['{1:2}', 1],
    ['[tru]', 1],
    ['01', 1],
    ['1.', 1],
    ['[1] x', 4],
    ['', 0],
    ['  ', 2],
  ])('%j: error at %i (a bad escape is pointed at after its backslash)', (text, at) => {
    expect(parses(text)).toBe(false);
    expect(jsonErrorOffset(text)).toBe(at);
  });

  it('gives up without a position on nesting too deep to walk', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(jsonErrorOffset(deep)).toBeUndefined();
  });
});

describe('jsonArrayItemOffset', () => {
  it('finds where each top-level item starts, in 300 arrays', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { text, items } = writer(seed).topArray();
      items.forEach((at, k) => expect(jsonArrayItemOffset(text, k), `${JSON.stringify(text)} item ${k}`).toBe(at));
      expect(jsonArrayItemOffset(text, items.length)).toBeUndefined();
    }
  });

  it('finds nothing in an object, a scalar, an empty array or nested arrays only', () => {
    expect(jsonArrayItemOffset('{"a": [1, 2]}', 0)).toBeUndefined();
    expect(jsonArrayItemOffset('3', 0)).toBeUndefined();
    expect(jsonArrayItemOffset('[]', 0)).toBeUndefined();
    expect(jsonArrayItemOffset('[[1, 2], [3]]', 1)).toBe(9);
    expect(jsonArrayItemOffset('[[1, 2], [3]]', 2)).toBeUndefined();
  });
});
