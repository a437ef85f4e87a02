/**
 * Key/value blocks of computed prefixes, taken out of one pass's cache and stacked into the past
 * of another. A cache tensor is [batch, kvHeads, length, headDim] (float32 or float16 bits); a
 * row's block is its [kvHeads, n, headDim] slice. Plain typed arrays: no runtime here.
 */

export type KvArray = Float32Array | Uint16Array;

export interface CacheLayout {
  batch: number;
  heads: number;
  length: number;
  headDim: number;
}

/** Positions [start, start + n) of row `row`, as a [heads, n, headDim] block. */
export function takeRowBlock(data: KvArray, layout: CacheLayout, row: number, start: number, n: number): KvArray {
  const { heads, length, headDim } = layout;
  const out = new (data.constructor as { new (n: number): KvArray })(heads * n * headDim);
  for (let h = 0; h < heads; h++) {
    const from = ((row * heads + h) * length + start) * headDim;
    out.set(data.subarray(from, from + n * headDim), h * n * headDim);
  }
  return out;
}

/**
 * Blocks of different lengths stacked into [blocks.length, heads, length, headDim]: each at the
 * right end of its row ('right', after zero pads: a left-padded past, masked attention) or at the
 * left ('left', pads after: GroupQueryAttention reads each row's first tokens).
 */
export function stackRowBlocks(blocks: readonly KvArray[], lengths: readonly number[], heads: number, headDim: number, length: number, align: 'left' | 'right'): KvArray {
  const Ctor = (blocks[0]?.constructor ?? Float32Array) as { new (n: number): KvArray };
  const out = new Ctor(blocks.length * heads * length * headDim);
  blocks.forEach((block, b) => {
    const n = lengths[b];
    const offset = align === 'right' ? length - n : 0;
    for (let h = 0; h < heads; h++) {
      out.set(block.subarray(h * n * headDim, (h + 1) * n * headDim), ((b * heads + h) * length + offset) * headDim);
    }
  });
  return out;
}
