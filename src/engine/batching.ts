/**
 * Left padding and micro-batching. Rows are left-padded so that every row ends at the same
 * position: the logits a row needs (its last positions) then sit at the same place in every row,
 * which is what lets one "keep the last n logits" pass serve a whole batch.
 */
export interface PaddedBatch {
  batch: number;
  length: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
  /** Position of each token counted over real tokens only (pads get 0; they are masked anyway). */
  positions: BigInt64Array;
  /** Per row, the position id of its last token. */
  lastPositions: number[];
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
  return { batch, length, ids, mask, positions, lastPositions };
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
