/**
 * expandMatMulNBits: the oracle is onnxruntime's own MatMulNBits kernel (native onnxruntime-node
 * at accuracy_level 0, which multiplies in float32, and onnxruntime-web's WASM fallback), run on
 * the graph as it was; the expanded graph must give the same outputs. Weights, scales and zero
 * points are random bytes, so every code, nibble order and padding row is exercised.
 */
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { DT, GraphBuilder } from '../../tools/modelgen/onnx.ts';
import { mulberry32 } from '../../tools/modelgen/randomWeights.ts';
import { dequantizeNBits, expandMatMulNBits } from './expandNBits.ts';
import { summariseGraph } from './onnxGraph.ts';

interface Case {
  label: string;
  K: number;
  N: number;
  bits: 4 | 8;
  blockSize: number;
  zeroPoints?: boolean;
  bias?: boolean;
  /** The activation as [1, M, K] rather than [M, K]. */
  rank3?: boolean;
  external?: boolean;
}

const CASES: Case[] = [
  { label: '4-bit, block 32, symmetric (the model builder, transformers.js)', K: 64, N: 24, bits: 4, blockSize: 32 },
  { label: '4-bit, block 32, packed zero points (onnxruntime quantizer default)', K: 96, N: 10, bits: 4, blockSize: 32, zeroPoints: true, rank3: true },
  { label: '4-bit, block 128, K not a multiple of the block, odd block count, bias', K: 300, N: 7, bits: 4, blockSize: 128, zeroPoints: true, bias: true },
  { label: '4-bit, block 16, weights in external data', K: 48, N: 33, bits: 4, blockSize: 16, zeroPoints: true, external: true },
  { label: '8-bit, block 32, zero points', K: 80, N: 12, bits: 8, blockSize: 32, zeroPoints: true },
];
const M = 5;
// One thread, as the engine's Node loads run (external data is mounted only in that build's setup).
ortWeb.env.wasm.numThreads = 1;

function build(c: Case, seed: number) {
  const r = mulberry32(seed);
  const blocks = Math.ceil(c.K / c.blockSize);
  const packed = Uint8Array.from({ length: (c.N * blocks * c.blockSize * c.bits) / 8 }, () => Math.floor(r() * 256));
  const scales = Float32Array.from({ length: c.N * blocks }, () => 0.01 + r() * 0.05);
  const zp = c.zeroPoints ? Uint8Array.from({ length: c.N * Math.ceil((blocks * c.bits) / 8) }, () => Math.floor(r() * 256)) : undefined;
  const bias = c.bias ? Float32Array.from({ length: c.N }, () => r() - 0.5) : undefined;
  const g = new GraphBuilder('nbits');
  const x = g.input('x', DT.FLOAT, c.rank3 ? [1, 'm', c.K] : ['m', c.K]);
  const inputs = [x, g.initBytes('w_q', [c.N, blocks, (c.blockSize * c.bits) / 8], DT.UINT8, packed), g.initFloat('w_scales', [c.N * blocks], scales)];
  if (zp) inputs.push(g.initBytes('w_zp', [zp.length], DT.UINT8, zp));
  if (bias) {
    if (!zp) inputs.push('');
    inputs.push('', g.initFloat('w_bias', [c.N], bias));
  }
  const y = g.node('MatMulNBits', inputs, { domain: 'com.microsoft', attrs: { K: c.K, N: c.N, bits: c.bits, block_size: c.blockSize, accuracy_level: 0 }, name: 'proj', outputs: ['y'] });
  // A second reader of the scales keeps them in the graph (only unread initializers are dropped).
  // (Scaled by the input so that constant folding, which cannot read external data in the WASM build, leaves it alone.)
  const mean = g.node('ReduceMean', [x], { attrs: { keepdims: 0 } });
  g.node('ReduceSum', [g.node('Mul', [inputs[2], mean])], { attrs: { keepdims: 0 }, outputs: ['scale_sum'] });
  g.output(y, DT.FLOAT, c.rank3 ? [1, 'm', c.N] : ['m', c.N]);
  g.output('scale_sum', DT.FLOAT, []);
  const ext = c.external ? g.finishWithExternalData('nbits.onnx_data', 64) : null;
  const model = ext ? ext.model : g.finish();
  const external = new Map(ext ? [['nbits.onnx_data', ext.data]] : []);
  const xs = Float32Array.from({ length: M * c.K }, () => r() * 2 - 1);
  return { model, external, xs, packed, scales, zp, bias, blocks };
}

type AnyOrt = typeof ortNode | typeof ortWeb;
async function run(ort: AnyOrt, model: Uint8Array, external: Map<string, Uint8Array>, xs: Float32Array, c: Case): Promise<Float32Array> {
  const opts = external.size ? { externalData: [...external].map(([path, data]) => ({ path, data })) } : {};
  const session = await (ort.InferenceSession as typeof ortWeb.InferenceSession).create(model, opts as ortWeb.InferenceSession.SessionOptions);
  try {
    const x = new (ort.Tensor as typeof ortWeb.Tensor)('float32', xs, c.rank3 ? [1, M, c.K] : [M, c.K]);
    const out = await session.run({ x });
    return out.y.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

describe('expandMatMulNBits', () => {
  it.each(CASES)('$label: the float32 MatMul gives what onnxruntime MatMulNBits gives', async (c) => {
    const { model, external, xs } = build(c, 7 + c.K);
    const edit = expandMatMulNBits(model, external);
    if (!('model' in edit)) throw new Error(edit.skipped);
    expect(edit.nodes).toBe(1);
    expect(edit.kept).toEqual([]);
    expect(edit.floatBytes).toBe(c.K * c.N * 4);
    const ops = summariseGraph(edit.model).opTypes;
    expect(ops.has('com.microsoft:MatMulNBits')).toBe(false);
    expect(ops.has('MatMul')).toBe(true);
    const native = await run(ortNode, model, external, xs, c);
    const wasm = await run(ortWeb, model, external, xs, c);
    // The float32 weight is inline; the scales, still read by another node, stay in the external file.
    const expanded = await run(ortWeb, edit.model, external, xs, c);
    expect(maxRelDiff(expanded, native)).toBeLessThanOrEqual(1e-5);
    expect(maxRelDiff(expanded, wasm)).toBeLessThanOrEqual(1e-5);
  });

  it('dequantises a hand-worked 4-bit block: low nibble first, zero point per block from the low nibble', () => {
    // K 4, N 1, block 2: codes [3, 12 | 0, 15] in bytes 0xC3 and 0xF0; zero points 8 and 1 in one byte 0x18.
    const w = dequantizeNBits({ K: 4, N: 1, bits: 4, blockSize: 2, packed: Uint8Array.of(0xc3, 0xf0), scales: Float32Array.of(0.5, 2), zeroPoints: Uint8Array.of(0x18) });
    expect([...w]).toEqual([(3 - 8) * 0.5, (12 - 8) * 0.5, (0 - 1) * 2, (15 - 1) * 2]);
    // Without zero points, 4-bit codes centre on 8 and 8-bit on 128.
    expect([...dequantizeNBits({ K: 2, N: 1, bits: 4, blockSize: 2, packed: Uint8Array.of(0x0f), scales: Float32Array.of(1) })]).toEqual([7, -8]);
    expect([...dequantizeNBits({ K: 1, N: 1, bits: 8, blockSize: 16, packed: Uint8Array.from({ length: 16 }, (_, i) => (i ? 0 : 130)), scales: Float32Array.of(1) })]).toEqual([2]);
  });

  it('drops the 4-bit weight and zero points nobody else reads, keeps what another node reads', () => {
    const c = CASES[1];
    const { model, external } = build(c, 3);
    const edit = expandMatMulNBits(model, external);
    if (!('model' in edit)) throw new Error(edit.skipped);
    const latin = new TextDecoder('latin1').decode(edit.model);
    expect(latin).not.toContain('w_q\u0000');
    expect(latin.includes('w_zp')).toBe(false);
    expect(latin.includes('w_scales')).toBe(true);
    // The 4-bit bytes are gone: the graph grew by the float32 weight, less the packed codes.
    expect(edit.model.length).toBeLessThan(model.length + c.K * c.N * 4);
  });

  it('leaves what it cannot read as it was, saying why, and refuses a graph over the size bound', () => {
    const c = CASES[3];
    const { model } = build(c, 5);
    // The external file is missing: the weight cannot be read.
    const missing = expandMatMulNBits(model, new Map());
    expect('skipped' in missing && missing.skipped).toMatch(/nbits\.onnx_data was not given/);
    const big = expandMatMulNBits(build(CASES[0], 1).model, new Map(), { maxBytes: 4096 });
    expect('skipped' in big && big.skipped).toMatch(/over the 0 MB the engine expands/);
    const none = new GraphBuilder('plain');
    none.output(none.node('Identity', [none.input('x', DT.FLOAT, [1])], { outputs: ['y'] }), DT.FLOAT, [1]);
    expect(expandMatMulNBits(none.finish())).toEqual({ skipped: 'the graph has no MatMulNBits' });
  });
});
