import { describe, expect, it } from 'vitest';
import { SearchRandom } from './random.ts';

const draws = (r: SearchRandom, n: number, f: (r: SearchRandom) => number) => Array.from({ length: n }, () => f(r));

describe('SearchRandom', () => {
  it('refuses a seed that is not a safe integer', () => {
    for (const bad of [1.5, NaN, 2 ** 53]) expect(() => new SearchRandom(bad)).toThrow(new RangeError(`seed must be an integer, got ${bad}`));
    expect(() => new SearchRandom(-7)).not.toThrow();
  });

  it('uses all of a large seed: seeds that differ only above bit 32 give different streams', () => {
    const a = draws(new SearchRandom(1), 4, (r) => r.next());
    const b = draws(new SearchRandom(1 + 2 ** 32), 4, (r) => r.next());
    const c = draws(new SearchRandom(1), 4, (r) => r.next());
    expect(b).not.toEqual(a);
    expect(c).toEqual(a);
  });

  it('next() is a float in [0, 1) that varies', () => {
    const xs = draws(new SearchRandom(3), 1000, (r) => r.next());
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(new Set(xs).size).toBe(1000);
    expect(Math.min(...xs)).toBeLessThan(0.01);
    expect(Math.max(...xs)).toBeGreaterThan(0.99);
  });

  it('intInclusive(lo, hi) covers exactly lo..hi', () => {
    const xs = draws(new SearchRandom(5), 500, (r) => r.intInclusive(3, 5));
    expect([...new Set(xs)].sort()).toEqual([3, 4, 5]);
  });

  it('seed() gives 32-bit unsigned integers over the whole range', () => {
    const xs = draws(new SearchRandom(9), 200, (r) => r.seed());
    for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
    expect(xs.some((x) => x >= 2 ** 31)).toBe(true);
    expect(new Set(xs).size).toBe(200);
  });

  it('sample(k) takes k distinct positions; all of them is allowed, one more is not', () => {
    const r = new SearchRandom(2);
    expect(r.sample([1, 2, 3], 3).sort()).toEqual([1, 2, 3]);
    expect(() => r.sample([1, 2, 3], 4)).toThrow(new RangeError('cannot sample 4 of 3'));
    expect(r.sample(['a', 'a', 'b'], 2)).toHaveLength(2);
  });

  it('shuffle is uniform over orders (Fisher-Yates): all 6 orders of 3 items, each about 1/6 of 6000', () => {
    const r = new SearchRandom(4);
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
