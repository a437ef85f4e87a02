/**
 * Padding and micro-batching. Graphs whose attention reads the mask get rows left-padded, so that
 * every row ends at the same column: the logits a row needs (its last positions) then sit at the
 * same place in every row, which is what lets one "keep the last n logits" pass serve a whole
 * batch. GroupQueryAttention ignores the mask except for its row sums and needs each row's real
 * tokens first: those graphs get rows right-padded, and each row's logits are read at its own end.
 */
export type PadSide = 'left' | 'right';

export interface PaddedBatch {
  side: PadSide;
  batch: number;
  length: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
  /** Position of each token counted over real tokens only (pads get 0; they are masked anyway). */
  positions: BigInt64Array;
  /** Per row, the position id of its last token (its real length - 1). */
  lastPositions: number[];
}

/** The column of row `row`'s token at position `pos` (0 = its first real token). */
export function columnOf(p: PaddedBatch, row: number, pos: number): number {
  return p.side === 'left' ? p.length - (p.lastPositions[row] + 1) + pos : pos;
}

export function padRows(rows: readonly (readonly number[])[], padId: number, side: PadSide): PaddedBatch {
  return side === 'left' ? leftPad(rows, padId) : rightPad(rows, padId);
}

export function rightPad(rows: readonly (readonly number[])[], padId: number): PaddedBatch {
  const batch = rows.length;
  const length = Math.max(1, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(batch * length).fill(BigInt(padId));
  const mask = new BigInt64Array(batch * length);
  const positions = new BigInt64Array(batch * length);
  rows.forEach((row, b) => {
    for (let i = 0; i < row.length; i++) {
      ids[b * length + i] = BigInt(row[i]);
      mask[b * length + i] = 1n;
    }
    // Pads continue the count: positions stay inside the rotary table, and the pads are never read.
    for (let i = 0; i < length; i++) positions[b * length + i] = BigInt(i);
  });
  return { side: 'right', batch, length, ids, mask, positions, lastPositions: rows.map((r) => r.length - 1) };
}

export function leftPad(rows: readonly (readonly number[])[], padId: number): PaddedBatch {
  const batch = rows.length;
  const length = Math.max(1, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(batch * length).fill(BigInt(padId));
  const mask = new BigInt64Array(batch * length);
  const positions = new BigInt64Array(batch * length);
  const lastPositions: number[] = [];
  rows.forEach((row, b) => {
    const offset = b * length + (length - row.length);
    for (let i = 0; i < row.length; i++) {
      ids[offset + i] = BigInt(row[i]);
      mask[offset + i] = 1n;
      positions[offset + i] = BigInt(i);
    }
    lastPositions.push(row.length - 1);
  });
  return { side: 'left', batch, length, ids, mask, positions, lastPositions };
}

/** Columns [start, end) of a row-major [rows, cols] matrix. */
export function sliceColumns(m: BigInt64Array, rows: number, cols: number, start: number, end: number): BigInt64Array {
  const width = end - start;
  const out = new BigInt64Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(m.subarray(r * cols + start, r * cols + end), r * width);
  return out;
}

/**
 * Groups item indices into micro-batches of similar length (less padding), each with at most
 * `maxRows` rows and `maxTokens` padded tokens. Results are put back in input order by the caller.
 */
export function planBatches(lengths: readonly number[], maxRows: number, maxTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let currentMax = 0;
  for (const i of order) {
    const longest = Math.max(currentMax, lengths[i]);
    if (current.length > 0 && (current.length + 1 > maxRows || longest * (current.length + 1) > maxTokens)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
    currentMax = current.length === 1 ? lengths[i] : Math.max(currentMax, lengths[i]);
  }
  if (current.length) batches.push(current);
  return batches;
}
