/**
 * The one seeded randomness module: the generator itself, and each seeding its users rely on
 * (the search, the sampler's per-row streams, the task suite's salted streams).
 */
import { describe, expect, it } from 'vitest';
import { createRng, mixSeed, mulberry32, SeededRandom } from './random.ts';

describe('mulberry32', () => {
  it('matches an independent port of the 32-bit algorithm', () => {
    // Values from a Python port with explicit 32-bit masking (run once, pasted here).
    const words = (state: number) => {
      const r = mulberry32(state);
      return [r(), r(), r()].map((x) => x * 4294967296);
    };
    expect(words(0)).toEqual([1144304738, 1416247, 958946056]);
    expect(words(12345)).toEqual([4207900869, 1317490944, 2079646450]);
  });

  it('stays in [0, 1)', () => {
    const r = mulberry32(123);
    for (let i = 0; i < 10_000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('createRng', () => {
  it('is deterministic per seed and salt', () => {
    const a = createRng(42, 'add_two');
    const b = createRng(42, 'add_two');
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
  });

  it('gives unrelated streams for nearby seeds, other salts and far-apart integers', () => {
    const draw = (seed: number, salt = 's') => {
      const r = createRng(seed, salt);
      return Array.from({ length: 8 }, () => r.int(1000));
    };
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1, 'a')).not.toEqual(draw(1, 'b'));
    expect(draw(0)).not.toEqual(draw(2 ** 32)); // the high word matters
    expect(draw(-1)).not.toEqual(draw(1));
    expect(mixSeed(1)).not.toBe(mixSeed(2));
  });

  it('rejects seeds it cannot represent exactly', () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
    expect(() => createRng(2 ** 60)).toThrow(RangeError);
  });

  it('int covers its range roughly uniformly', () => {
    const r = createRng(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
    expect(() => r.int(0)).toThrow(RangeError);
  });

  it('shuffle is a permutation that leaves its input alone; sample draws distinct items', () => {
    const r = createRng(3);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s = r.shuffle(items);
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...s].sort((x, y) => x - y)).toEqual(items);
    expect(s).not.toEqual(items);
    const k = r.sample(items, 10);
    expect(new Set(k).size).toBe(10);
    expect(() => r.sample(items, 51)).toThrow(RangeError);
  });
});

const draws = (r: SeededRandom, n: number, f: (r: SeededRandom) => number) => Array.from({ length: n }, () => f(r));

describe('SeededRandom.search: the search\'s stream', () => {
  it('refuses a seed that is not a safe integer', () => {
    for (const bad of [1.5, NaN, 2 ** 53]) expect(() => SeededRandom.search(bad)).toThrow(new RangeError(`seed must be an integer, got ${bad}`));
    expect(() => SeededRandom.search(-7)).not.toThrow();
  });

  it('uses all of a large seed: seeds that differ only above bit 32 give different streams', () => {
    const a = draws(SeededRandom.search(1), 4, (r) => r.next());
    const b = draws(SeededRandom.search(1 + 2 ** 32), 4, (r) => r.next());
    const c = draws(SeededRandom.search(1), 4, (r) => r.next());
    expect(b).not.toEqual(a);
    expect(c).toEqual(a);
  });

  it('next() is a float in [0, 1) that varies', () => {
    const xs = draws(SeededRandom.search(3), 1000, (r) => r.next());
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(new Set(xs).size).toBe(1000);
    expect(Math.min(...xs)).toBeLessThan(0.01);
    expect(Math.max(...xs)).toBeGreaterThan(0.99);
  });

  it('intInclusive(lo, hi) covers exactly lo..hi', () => {
    const xs = draws(SeededRandom.search(5), 500, (r) => r.intInclusive(3, 5));
    expect([...new Set(xs)].sort()).toEqual([3, 4, 5]);
  });

  it('seed() gives 32-bit unsigned integers over the whole range', () => {
    const xs = draws(SeededRandom.search(9), 200, (r) => r.seed());
    for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
    expect(xs.some((x) => x >= 2 ** 31)).toBe(true);
    expect(new Set(xs).size).toBe(200);
  });

  it('sample(k) takes k distinct positions; all of them is allowed, one more is not', () => {
    const r = SeededRandom.search(2);
    expect(r.sample([1, 2, 3], 3).sort()).toEqual([1, 2, 3]);
    expect(() => r.sample([1, 2, 3], 4)).toThrow(new RangeError('cannot sample 4 of 3 items without replacement'));
    expect(r.sample(['a', 'a', 'b'], 2)).toHaveLength(2);
  });

  it('shuffle is uniform over orders (Fisher-Yates): all 6 orders of 3 items, each about 1/6 of 6000', () => {
    const r = SeededRandom.search(4);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const k = r.shuffle(['a', 'b', 'c']).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // 6 sigma of a binomial(6000, 1/6) is about 173.
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(173);
  });
});

describe('SeededRandom.sampler and .stream: the engine sampler\'s streams', () => {
  it('are the streams the sampler always drew: mulberry32 from fmix32(seed) ^ 0x9e3779b9, rows from a mixed seed', () => {
    // Written out from the seeding rule with the generator above, so a change to either shows.
    const expected = (state: number) => Array.from({ length: 3 }, ((r) => () => r())(mulberry32(state)));
    const first = (r: SeededRandom) => [r.next(), r.next(), r.next()];
    const fmix = (x: number) => {
      let h = x >>> 0;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    expect(first(SeededRandom.sampler(42))).toEqual(expected(fmix(42) ^ 0x9e3779b9));
    expect(first(SeededRandom.stream(42, 3))).toEqual(expected(fmix(fmix(42 ^ Math.imul(4, 0x85ebca6b))) ^ 0x9e3779b9));
    expect(first(SeededRandom.stream(42, 0))).not.toEqual(first(SeededRandom.stream(42, 1)));
  });
});

describe('SeededRandom.state', () => {
  it('a stream rebuilt from its state continues exactly where it was', () => {
    const r = SeededRandom.search(11);
    for (let i = 0; i < 37; i++) r.next();
    const copy = new SeededRandom(r.state);
    expect(Array.from({ length: 50 }, () => copy.next())).toEqual(Array.from({ length: 50 }, () => r.next()));
    // And the class draws mulberry32's stream.
    const m = mulberry32(12345);
    const c = new SeededRandom(12345);
    expect(Array.from({ length: 20 }, () => c.next())).toEqual(Array.from({ length: 20 }, () => m()));
  });
});
