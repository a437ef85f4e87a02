/**
 * The project's one seeded randomness: mulberry32 streams behind one class, SeededRandom, with
 * the three seedings its users rely on (each must keep giving the streams it always gave, since
 * results, the task suite's examples and the training corpus are reproducible from seeds):
 *  - SeededRandom.search(seed): the search's one stream (every choice of a run, in order);
 *  - SeededRandom.sampler(seed) and .stream(seed, row): the engine's sampler, one stream per row;
 *  - createRng(seed, ...salts): the task suite, seeds mixed with string salts such as task ids.
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: returns floats uniform in [0, 1). The state is a 32-bit integer. */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    if (!Number.isSafeInteger(part)) throw new RangeError(`seed must be a safe integer, got ${part}`);
    const lo = part >>> 0;
    const hi = Math.floor(part / 2 ** 32) >>> 0;
    h = fmix32(h ^ lo);
    h = fmix32((h + 0x6d2b79f5) ^ hi);
  }
  return h;
}

export class SeededRandom {
  /** mulberry32's whole state: saving it saves the stream (a search checkpoint does). */
  private a: number;

  /** A stream from a 32-bit state as is; use the named seedings below. */
  constructor(state: number) {
    this.a = state >>> 0;
  }

  /** The state now; `new SeededRandom(r.state)` continues exactly where r is. */
  get state(): number {
    return this.a;
  }

  /** Continues from a saved state (a resumed search), in place, so every holder of this stream follows. */
  restore(state: number): void {
    this.a = state >>> 0;
  }

  /** The same step as mulberry32 above. */
  private draw(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The search's stream: all 53 bits of the seed count (seeds that differ above bit 32 differ). */
  static search(seed: number): SeededRandom {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    return new SeededRandom(fmix32((seed >>> 0) ^ 0x9e3779b9) ^ fmix32(Math.floor(seed / 2 ** 32) >>> 0));
  }

  /** The sampler's stream for a 32-bit seed, mixed so that nearby seeds start far apart. */
  static sampler(seed: number): SeededRandom {
    return new SeededRandom(fmix32(seed >>> 0) ^ 0x9e3779b9);
  }

  /** An independent sampler stream per row of a batch, so batching never changes what a row draws. */
  static stream(seed: number, stream: number): SeededRandom {
    return SeededRandom.sampler(SeededRandom.rowSeed(seed, stream));
  }

  /**
   * The sampler seed of row `row` of a call seeded with `seed`: stream(seed, row) is
   * sampler(rowSeed(seed, row)). A server seeds each request on its own (vLLM's per-request
   * `seed`), so the remote backend sends each row this seed and gets the row's own stream.
   */
  static rowSeed(seed: number, row: number): number {
    return fmix32((seed >>> 0) ^ Math.imul(row + 1, 0x85ebca6b));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.draw() * n);
  }

  /** Uniform integer in [lo, hi], both ends included (Python's random.randint). */
  intInclusive(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** A 32-bit seed for another stream (the sampler's, handed out by the search). */
  seed(): number {
    return Math.floor(this.draw() * 2 ** 32) >>> 0;
  }

  choice<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A new array in uniformly random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `k` items drawn without replacement (by position, so repeated items can come back), like random.sample. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (!Number.isInteger(k) || k < 0 || k > items.length) throw new RangeError(`cannot sample ${k} of ${items.length} items without replacement`);
    return this.shuffle(items).slice(0, k);
  }
}

/** The task suite's seeding: `salts` (a task id, say) separate the streams of different users of one seed. */
export function createRng(seed: number, ...salts: (number | string)[]): SeededRandom {
  return new SeededRandom(mixSeed(seed, ...salts));
}
