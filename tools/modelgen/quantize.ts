/**
 * 4-bit block quantisation in the layout of com.microsoft MatMulNBits (bits=4): for a weight
 * W[K, N] (MatMul's B), each output column n is cut into blocks of `blockSize` rows along K; a
 * block stores symmetric 4-bit codes around the implicit zero point 8 and one float scale.
 * Codes are packed two per byte, the even row in the low nibble.
 */
export interface Q4Weight {
  K: number;
  N: number;
  blockSize: number;
  /** uint8 [N, blocks, blockSize / 2] */
  packed: Uint8Array;
  /** float32 [N, blocks] */
  scales: Float32Array;
}

export function quantizeQ4(w: Float32Array, K: number, N: number, blockSize = 32): Q4Weight {
  if (w.length !== K * N) throw new Error(`quantizeQ4: expected ${K * N} values, got ${w.length}`);
  const blocks = Math.ceil(K / blockSize);
  const blob = blockSize / 2;
  const packed = new Uint8Array(N * blocks * blob);
  const scales = new Float32Array(N * blocks);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      let amax = 0;
      for (let i = 0; i < blockSize; i++) {
        const k = b * blockSize + i;
        if (k < K) amax = Math.max(amax, Math.abs(w[k * N + n]));
      }
      // Symmetric range -8..7 around zero point 8; dividing by 7 keeps +amax representable.
      const scale = amax === 0 ? 1 : amax / 7;
      scales[n * blocks + b] = scale;
      for (let i = 0; i < blockSize; i++) {
        const k = b * blockSize + i;
        const v = k < K ? w[k * N + n] : 0;
        const q = Math.max(0, Math.min(15, Math.round(v / scale) + 8));
        const byte = (n * blocks + b) * blob + (i >> 1);
        packed[byte] |= i & 1 ? q << 4 : q;
      }
    }
  }
  return { K, N, blockSize, packed, scales };
}

/** The float weights a Q4Weight stands for; used by tests to bound quantisation error. */
export function dequantizeQ4(q: Q4Weight): Float32Array {
  const { K, N, blockSize, packed, scales } = q;
  const blocks = Math.ceil(K / blockSize);
  const blob = blockSize / 2;
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      for (let i = 0; i < blockSize; i++) {
        const k = b * blockSize + i;
        if (k >= K) break;
        const byte = packed[(n * blocks + b) * blob + (i >> 1)];
        const code = i & 1 ? byte >> 4 : byte & 15;
        out[k * N + n] = (code - 8) * scales[n * blocks + b];
      }
    }
  }
  return out;
}
