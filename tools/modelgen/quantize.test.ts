import { describe, expect, it } from 'vitest';
import { dequantizeQ4, quantizeQ4 } from './quantize.ts';
import { mulberry32 } from './randomWeights.ts';

describe('quantizeQ4 (MatMulNBits layout)', () => {
  it('round-trips within half a step per block, and packs the even row in the low nibble', () => {
    const K = 64;
    const N = 3;
    const r = mulberry32(1);
    const w = Float32Array.from({ length: K * N }, () => r() * 2 - 1);
    const q = quantizeQ4(w, K, N, 32);
    expect(q.packed.length).toBe(N * 2 * 16);
    expect(q.scales.length).toBe(N * 2);
    const back = dequantizeQ4(q);
    for (let n = 0; n < N; n++) {
      for (let b = 0; b < 2; b++) {
        const scale = q.scales[n * 2 + b];
        for (let i = 0; i < 32; i++) {
          const k = b * 32 + i;
          expect(Math.abs(back[k * N + n] - w[k * N + n])).toBeLessThanOrEqual(scale / 2 + 1e-6);
        }
      }
    }
    // A block [1, -1, ...]: scale 1/7, codes 8 + 7 = 15 and 8 - 7 = 1 (the zero point is 8).
    const single = new Float32Array(32).fill(-1);
    single[0] = 1;
    const qs = quantizeQ4(single, 32, 1, 32);
    expect(qs.scales[0]).toBeCloseTo(1 / 7, 7);
    expect(qs.packed[0] & 0x0f).toBe(15);
    expect(qs.packed[0] >> 4).toBe(1);
  });
});
