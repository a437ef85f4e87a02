/**
 * A small seeded generator (SplitMix32-seeded xorshift128+ would be overkill here): mulberry32 is
 * fast, passes the statistical checks that matter for sampling, and gives the same stream on every
 * JavaScript engine. Every random choice in the product goes through a Rng created from a seed.
 */
import { fmix32, mulberry32 } from '../util/random.ts';

export class Rng {
  private readonly draw: () => number;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    this.draw = mulberry32(hash32(seed >>> 0) ^ 0x9e3779b9);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An independent generator derived from this seed and a stream number (e.g. a batch row). */
  static stream(seed: number, stream: number): Rng {
    return new Rng(hash32((seed >>> 0) ^ Math.imul(stream + 1, 0x85ebca6b)));
  }
}

/** A 32-bit integer hash (murmur3 finaliser). */
export const hash32 = fmix32;
