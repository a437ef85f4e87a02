/**
 * The search's one source of randomness. Every choice (shuffling, the population, truncation
 * points, which data rows a proposal sees, the seeds handed to the sampler) is drawn from one
 * stream in a fixed order, so a seed fixes the whole run; pausing never draws.
 */
import { fmix32, mulberry32 } from '../util/random.ts';

export class SearchRandom {
  private readonly draw: () => number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.draw = mulberry32(fmix32((seed >>> 0) ^ 0x9e3779b9) ^ fmix32(Math.floor(seed / 2 ** 32) >>> 0));
  }

  next(): number {
    return this.draw();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.draw() * n);
  }

  /** Uniform integer in [lo, hi], both ends included (Python's random.randint). */
  intInclusive(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** A 32-bit seed for the sampler's own per-row streams. */
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
    if (k > items.length) throw new RangeError(`cannot sample ${k} of ${items.length}`);
    return this.shuffle(items).slice(0, k);
  }
}
