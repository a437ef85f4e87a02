/**
 * A small JSON grammar walker, run only when we need a position JSON.parse does not give: where a
 * syntax error is (V8 often says just "Unexpected token ']'", with no position), and where the
 * k-th element of a top-level array starts (to name the line of a bad row). Linear, no values built.
 */

class Stop {
  constructor(
    readonly at: number,
    readonly found: boolean,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function scan(s: string, wantItem: number): { error?: number; item?: number } {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i, false);
  };
  const ws = () => {
    for (let c = s.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = s.charCodeAt(++i));
  };
  const str = () => {
    for (i++; ; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c === 92) {
        const e = s[i + 1] ?? '';
        const ok = e === 'u' ? /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6)) : e !== '' && '"\\/bfnrt'.includes(e);
        i++;
        if (!ok) fail();
        if (e === 'u') i += 4;
      } else if (!(c >= 32)) fail(); // a raw control character, or the end of the text (NaN)
    }
  };
  /** `outermost`: the text's own value, whose array items are the ones counted. */
  const value = (outermost = false): void => {
    ws();
    const c = s[i];
    if (c === '[' || c === '{') {
      const close = c === '[' ? ']' : '}';
      const top = outermost && c === '[';
      i++;
      ws();
      if (s[i] === close) {
        i++;
        return;
      }
      for (let k = 0; ; k++) {
        ws();
        if (c === '{') {
          if (s[i] !== '"') fail();
          str();
          ws();
          if (s[i] !== ':') fail();
          i++;
        } else if (top && k === wantItem) throw new Stop(i, true);
        value();
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return str();
    for (const w of ['true', 'false', 'null']) {
      if (s.startsWith(w, i)) {
        i += w.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(s)) fail();
    i = NUMBER.lastIndex;
  };
  try {
    value(true);
    ws();
    if (i < s.length) fail();
    return {};
  } catch (e) {
    if (e instanceof Stop) return e.found ? { item: e.at } : { error: e.at };
    return {}; // RangeError: nested too deep to walk; the caller goes without a position
  }
}

/** Offset of the first syntax error in `s`, or undefined when `s` is valid JSON (or too deep to walk). */
export function jsonErrorOffset(s: string): number | undefined {
  return scan(s, -1).error;
}

/** Offset where element `index` (0-based) of the top-level array in `s` starts, or undefined. */
export function jsonArrayItemOffset(s: string, index: number): number | undefined {
  return scan(s, index).item;
}
