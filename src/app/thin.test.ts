import { describe, expect, it } from 'vitest';
import { CHART_LIMITS, thinEvenly, thinKeepingNewest } from './thin.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('bounded chart points', () => {
  it('thinEvenly keeps every k-th item and the last, never more than the cap, whatever the length', () => {
    expect(thinEvenly(range(5), 10)).toEqual(range(5));
    // 10 items, at most 4: k = ceil(10 / 3) = 4 -> 0, 4, 8 and the last, 9.
    expect(thinEvenly(range(10), 4)).toEqual([0, 4, 8, 9]);
    for (const n of [601, 1_000, 12_345, 500_000]) {
      const kept = thinEvenly(range(n), CHART_LIMITS.series);
      expect(kept.length).toBeLessThanOrEqual(CHART_LIMITS.series);
      expect(kept[0]).toBe(0);
      expect(kept.at(-1)).toBe(n - 1);
    }
  });

  it('thinKeepingNewest keeps the newest half as they are and thins the older ones', () => {
    const kept = thinKeepingNewest(range(10_000), 1_000);
    expect(kept.length).toBeLessThanOrEqual(1_000);
    expect(kept.slice(-500)).toEqual(range(500).map((i) => 9_500 + i));
    expect(kept[0]).toBe(0);
    expect(thinKeepingNewest(range(7), 10)).toEqual(range(7));
  });
});
