import { describe, expect, it } from 'vitest';
import { columnOf, leftPad, padRows, planBatches, rightPad, sliceColumns } from './batching.ts';

const big = (xs: bigint[]) => xs.map(Number);

describe('padding', () => {
  it('left-pads so every row ends at the last column; positions count real tokens only', () => {
    const p = leftPad([[5, 6, 7], [8]], 0);
    expect(p).toMatchObject({ side: 'left', batch: 2, length: 3, lastPositions: [2, 0] });
    expect(big([...p.ids])).toEqual([5, 6, 7, 0, 0, 8]);
    expect(big([...p.mask])).toEqual([1, 1, 1, 0, 0, 1]);
    expect(big([...p.positions])).toEqual([0, 1, 2, 0, 0, 0]);
    // Row 1's only token (position 0) sits in the last column.
    expect(columnOf(p, 1, 0)).toBe(2);
    expect(columnOf(p, 0, 1)).toBe(1);
  });

  it('right-pads so every row starts at column 0 (GroupQueryAttention); pads keep counting positions', () => {
    const p = rightPad([[5, 6, 7], [8]], 9);
    expect(p).toMatchObject({ side: 'right', batch: 2, length: 3, lastPositions: [2, 0] });
    expect(big([...p.ids])).toEqual([5, 6, 7, 8, 9, 9]);
    expect(big([...p.mask])).toEqual([1, 1, 1, 1, 0, 0]);
    expect(big([...p.positions])).toEqual([0, 1, 2, 0, 1, 2]);
    expect(columnOf(p, 1, 0)).toBe(0);
    expect(columnOf(p, 0, 2)).toBe(2);
    expect(padRows([[1]], 0, 'right').side).toBe('right');
    expect(padRows([[1]], 0, 'left').side).toBe('left');
  });

  it('an empty row still has one (masked) column', () => {
    const p = leftPad([[]], 3);
    expect(p.length).toBe(1);
    expect(big([...p.mask])).toEqual([0]);
  });
});

describe('sliceColumns', () => {
  it('takes columns [start, end) of every row', () => {
    const m = BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(big([...sliceColumns(m, 2, 3, 1, 3)])).toEqual([2, 3, 5, 6]);
    expect(big([...sliceColumns(m, 2, 3, 0, 1)])).toEqual([1, 4]);
  });
});

describe('planBatches', () => {
  it('groups longest first within the row and token limits, each index exactly once', () => {
    const lengths = [3, 9, 1, 9, 4, 2];
    const batches = planBatches(lengths, 2, 100);
    expect(batches).toEqual([[1, 3], [4, 0], [5, 2]]);
    // Token limit: longest x rows must stay within 12, so 9-long rows go alone.
    expect(planBatches(lengths, 10, 12)).toEqual([[1], [3], [4, 0, 5], [2]]);
    // Ties keep input order; a row longer than the token limit still gets a batch of its own.
    expect(planBatches([5, 5, 5], 3, 4)).toEqual([[0], [1], [2]]);
    expect(planBatches([], 3, 10)).toEqual([]);
  });
});
