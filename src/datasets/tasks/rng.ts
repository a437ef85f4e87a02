/**
 * Seeded streams for the task suite (mulberry32 with seed mixing): example sets, the corpus and
 * the benchmark are reproducible from a seed and a task id.
 */
import { fmix32, mulberry32 } from '../../util/random.ts';

/** FNV-1a over UTF-16 code units, for string salts such as task ids. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Mixes integer seeds and string salts into one 32-bit state, so that nearby seeds (1, 2, 3)
 * and the same seed under different salts (task ids) give unrelated streams.
 * Integers beyond 32 bits keep their high word; non-integers are rejected rather than truncated.
 */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (typeof part === 'string') {
      h = fmix32(h ^ hashString(part));
      continue;
    }
    if (!Number.isSafeInteger(part)) {
      throw new RangeError(`seed must be a safe integer, got ${part}`);
    }
    const lo = part >>> 0;
    const hi = Math.floor(part / 2 ** 32) >>> 0;
    h = fmix32(h ^ lo);
    h = fmix32((h + 0x6d2b79f5) ^ hi);
  }
  return h;
}

export { mulberry32 };

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A new array with the items in a uniformly random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** `k` distinct items in random order (k <= items.length). */
  sample<T>(items: readonly T[], k: number): T[];
}

/** A seeded generator; `salts` (a task id, say) separate the streams of different users of one seed. */
export function createRng(seed: number, ...salts: (number | string)[]): Rng {
  const next = mulberry32(mixSeed(seed, ...salts));
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(next() * n);
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  const sample = <T>(items: readonly T[], k: number): T[] => {
    if (!Number.isInteger(k) || k < 0 || k > items.length) {
      throw new RangeError(`cannot sample ${k} of ${items.length} items without replacement`);
    }
    return shuffle(items).slice(0, k);
  };
  return { next, int, shuffle, sample };
}
