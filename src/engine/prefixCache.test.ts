import { describe, expect, it } from 'vitest';
import { stackRowBlocks, takeRowBlock } from './prefixCache.ts';

// A [batch 2, heads 2, length 3, headDim 2] cache whose entry (b, h, t, d) is 1000b + 100h + 10t + d.
const layout = { batch: 2, heads: 2, length: 3, headDim: 2 };
const cache = Float32Array.from({ length: 24 }, (_, i) => {
  const d = i % 2, t = Math.floor(i / 2) % 3, h = Math.floor(i / 6) % 2, b = Math.floor(i / 12);
  return 1000 * b + 100 * h + 10 * t + d;
});

describe('prefix cache blocks', () => {
  it('takes one row’s positions [start, start + n) of every head', () => {
    expect([...takeRowBlock(cache, layout, 1, 1, 2)]).toEqual([1010, 1011, 1020, 1021, 1110, 1111, 1120, 1121]);
    expect([...takeRowBlock(cache, layout, 0, 0, 1)]).toEqual([0, 1, 100, 101]);
    // float16 caches stay float16 bits
    expect(takeRowBlock(Uint16Array.from(cache), layout, 0, 0, 1)).toBeInstanceOf(Uint16Array);
  });

  it('stacks blocks of different lengths at the right end (left pads) or the left (pads after), pads zero', () => {
    const a = takeRowBlock(cache, layout, 0, 0, 2); // length 2
    const b = takeRowBlock(cache, layout, 1, 2, 1); // length 1
    const right = stackRowBlocks([a, b], [2, 1], 2, 2, 3, 'right');
    expect([...right]).toEqual([
      0, 0, 0, 1, 10, 11, /* row 0 head 1 */ 0, 0, 100, 101, 110, 111,
      /* row 1 head 0 */ 0, 0, 0, 0, 1020, 1021, /* row 1 head 1 */ 0, 0, 0, 0, 1120, 1121,
    ]);
    const left = stackRowBlocks([a, b], [2, 1], 2, 2, 3, 'left');
    expect([...left]).toEqual([0, 1, 10, 11, 0, 0, 100, 101, 110, 111, 0, 0, 1020, 1021, 0, 0, 0, 0, 1120, 1121, 0, 0, 0, 0]);
  });
});
