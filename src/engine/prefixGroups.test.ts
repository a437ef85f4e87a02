import { describe, expect, it } from 'vitest';
import { groupBySharedPrefix, type PrefixGroup } from './prefixGroups.ts';
import { mulberry32 } from '../util/random.ts';

const saved = (groups: PrefixGroup[]) => groups.reduce((s, g) => s + (g.members.length - 1) * g.prefixLength, 0);

function lcpOf(rows: readonly (readonly number[])[], members: number[], limit: readonly number[]): number {
  let p = Math.min(...members.map((i) => Math.min(limit[i], rows[i].length)));
  for (const i of members) {
    let k = 0;
    while (k < p && rows[i][k] === rows[members[0]][k]) k++;
    p = k;
  }
  return p;
}

/** Every way to split `items` into sets (Bell number many). */
function* partitions(items: number[]): Generator<number[][]> {
  if (items.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = items;
  for (const p of partitions(rest)) {
    yield [[first], ...p];
    for (let k = 0; k < p.length; k++) yield [...p.slice(0, k), [first, ...p[k]], ...p.slice(k + 1)];
  }
}

/** The most tokens any split of the sorted rows (those that may share minShared) into runs saves: all 2^(n-1) cut sets. */
function bestRunSplit(rows: number[][], limit: number[], minShared: number): number {
  const sorted = rows
    .map((_, i) => i)
    .filter((i) => Math.min(limit[i], rows[i].length) >= minShared)
    .sort((a, b) => {
      const x = rows[a], y = rows[b];
      for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k] - y[k];
      return x.length - y.length || a - b;
    });
  let best = 0;
  for (let cuts = 0; cuts < 1 << Math.max(0, sorted.length - 1); cuts++) {
    let s = 0;
    let run = [sorted[0]];
    const close = () => {
      const shared = run.length >= 2 ? lcpOf(rows, run, limit) : 0;
      if (shared >= minShared) s += (run.length - 1) * shared;
    };
    for (let k = 1; k < sorted.length; k++) {
      if (cuts & (1 << (k - 1))) {
        close();
        run = [sorted[k]];
      } else run.push(sorted[k]);
    }
    if (sorted.length) close();
    best = Math.max(best, s);
  }
  return best;
}

/** The most tokens any partition of the rows into sets saves (brute force). */
function bestByBruteForce(rows: number[][], limit: number[], minShared: number): number {
  let best = 0;
  for (const p of partitions(rows.map((_, i) => i))) {
    let s = 0;
    for (const set of p) {
      if (set.length < 2) continue;
      const shared = lcpOf(rows, set, limit);
      if (shared >= minShared) s += (set.length - 1) * shared;
    }
    best = Math.max(best, s);
  }
  return best;
}

describe('groupBySharedPrefix', () => {
  it('groups a candidate’s rows by the prompt and the template words they share, up to where the examples differ', () => {
    // Two prompts [1 2] and [7 8], each on three examples "9 9 x y".
    const rows = [
      [1, 2, 9, 9, 3, 4],
      [7, 8, 9, 9, 3, 4],
      [1, 2, 9, 9, 5, 6],
      [7, 8, 9, 9, 5, 6],
      [1, 2, 9, 9, 3, 5],
      [7, 8, 9, 9, 6, 6],
    ];
    const groups = groupBySharedPrefix(rows, rows.map(() => 5), 2);
    expect(groups).toEqual([
      { prefixLength: 4, members: [0, 4, 2] },
      { prefixLength: 4, members: [1, 3, 5] },
    ]);
    expect(saved(groups)).toBe(16);
  });

  it('keeps a parent’s rows and its mutations’ rows apart when each shares more with itself', () => {
    // Parent [1 2 3 4] and mutation [1 2 5 6] (kept tokens [1 2]), four examples each.
    const rows: number[][] = [];
    for (const prompt of [[1, 2, 3, 4], [1, 2, 5, 6]]) for (const x of [10, 11, 12, 13]) rows.push([...prompt, 9, x, 0]);
    const groups = groupBySharedPrefix(rows, rows.map((r) => r.length - 1), 2);
    expect(groups.map((g) => g.prefixLength)).toEqual([5, 5]);
    // One group of all eight would share only [1 2]: 7 x 2 = 14 tokens, against 2 x 3 x 5 = 30.
    expect(saved(groups)).toBe(30);
  });

  it('never shares past a row’s limit (its first scored position) nor past its end', () => {
    const rows = [
      [1, 2, 3, 4, 5],
      [1, 2, 3, 4, 6],
      [1, 2, 3],
    ];
    // Row 0 may share 2 tokens: all three sharing 2 saves 4, rows 2 and 1 alone sharing 3 save 3.
    expect(groupBySharedPrefix(rows, [2, 9, 9], 1)).toEqual([{ prefixLength: 2, members: [2, 0, 1] }]);
    // At 3, row 0 can join nothing and is set aside, so rows 2 and 1 (sorted either side of it) still meet.
    expect(groupBySharedPrefix(rows, [2, 9, 9], 3)).toEqual([{ prefixLength: 3, members: [2, 1] }]);
    // Unlimited, the short row caps the shared prefix at its end: 3 tokens for all three (saves 6) beats 4 for two.
    expect(groupBySharedPrefix(rows, [9, 9, 9], 1)).toEqual([{ prefixLength: 3, members: [2, 0, 1] }]);
    expect(groupBySharedPrefix(rows.slice(0, 2), [2, 3], 1)).toEqual([{ prefixLength: 2, members: [0, 1] }]);
  });

  it('leaves out rows that share fewer than minShared tokens with any other', () => {
    expect(groupBySharedPrefix([[1, 2, 3], [1, 5, 6], [4, 4, 4]], [2, 2, 2], 2)).toEqual([]);
    expect(groupBySharedPrefix([], [], 1)).toEqual([]);
    expect(groupBySharedPrefix([[1, 2]], [1], 1)).toEqual([]);
  });

  it('saves as many tokens as the best split of the sorted rows into runs (every split tried, 300 draws of 8 rows with limits)', () => {
    const r = mulberry32(7);
    for (let draw = 0; draw < 300; draw++) {
      const rows = Array.from({ length: 8 }, () => Array.from({ length: 2 + Math.floor(r() * 5) }, () => Math.floor(r() * 2)));
      const limit = rows.map((row) => (r() < 0.3 ? Math.floor(r() * (row.length + 1)) : row.length));
      const minShared = 1 + Math.floor(r() * 2);
      const groups = groupBySharedPrefix(rows, limit, minShared);
      expect(saved(groups), JSON.stringify({ rows, limit, minShared })).toBe(bestRunSplit(rows, limit, minShared));
    }
  });

  it('with limits, every group’s prefix is shared by its members within their limits, and no row is in two groups (300 draws)', () => {
    const r = mulberry32(8);
    for (let draw = 0; draw < 300; draw++) {
      const rows = Array.from({ length: 9 }, () => Array.from({ length: 2 + Math.floor(r() * 5) }, () => Math.floor(r() * 2)));
      const limit = rows.map((row) => Math.floor(r() * (row.length + 1)));
      const minShared = 1 + Math.floor(r() * 2);
      const groups = groupBySharedPrefix(rows, limit, minShared);
      expect(saved(groups)).toBeLessThanOrEqual(bestByBruteForce(rows.slice(0, 9), limit, minShared));
      // Each group's prefix really is shared by its members and within their limits.
      for (const g of groups) {
        expect(g.prefixLength).toBeGreaterThanOrEqual(minShared);
        expect(lcpOf(rows, g.members, limit)).toBeGreaterThanOrEqual(g.prefixLength);
      }
      expect(new Set(groups.flatMap((g) => g.members)).size).toBe(groups.flatMap((g) => g.members).length);
    }
  });
});
