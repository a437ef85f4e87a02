import { describe, expect, it } from 'vitest';
import { createRng, mixSeed, mulberry32 } from './rng.ts';

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
