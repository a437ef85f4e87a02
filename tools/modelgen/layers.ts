/**
 * Transformer building blocks as ONNX subgraphs, shared by the Llama- and GPT-2-style builders.
 * Activations are float32; only MatMul weights are quantised (as MatMulNBits) in 4-bit variants.
 */
import { DT, GraphBuilder } from './onnx.ts';
import { quantizeQ4 } from './quantize.ts';

export type WeightFormat = 'fp32' | 'q4';

export interface LinearOptions {
  /** MatMulNBits block size (32, as the model builder and transformers.js's quantizer write). */
  blockSize?: number;
  /** float16 scales and bias, for graphs that compute in float16 (q4f16). */
  half?: boolean;
  /** MatMulNBits accuracy_level, where the export sets one. */
  accuracyLevel?: number;
}

/** x[..., K] @ W[K, N] (+ bias), as MatMul or MatMulNBits. */
export function linear(g: GraphBuilder, x: string, name: string, w: Float32Array, K: number, N: number, format: WeightFormat, bias?: Float32Array, opts: LinearOptions = {}): string {
  const blockSize = opts.blockSize ?? 32;
  const initW = (n: string, dims: number[], data: Float32Array) => (opts.half ? g.initHalf(n, dims, data) : g.initFloat(n, dims, data));
  let y: string;
  if (format === 'q4' && K % blockSize === 0) {
    const q = quantizeQ4(w, K, N, blockSize);
    const blocks = K / blockSize;
    const packed = g.initBytes(`${name}.weight_Q4`, [N, blocks, blockSize / 2], DT.UINT8, q.packed);
    const scales = initW(`${name}.weight_scales`, [N * blocks], q.scales);
    const attrs: Record<string, number> = { K, N, bits: 4, block_size: blockSize };
    if (opts.accuracyLevel !== undefined) attrs.accuracy_level = opts.accuracyLevel;
    y = g.node('MatMulNBits', [x, packed, scales], { domain: 'com.microsoft', attrs, name: `${name}/MatMulNBits` });
  } else {
    const wName = g.initFloat(`${name}.weight`, [K, N], w);
    y = g.node('MatMul', [x, wName], { name: `${name}/MatMul` });
  }
  if (bias) y = g.node('Add', [y, initW(`${name}.bias`, [N], bias)]);
  return y;
}

export function rmsNorm(g: GraphBuilder, x: string, name: string, weight: Float32Array, eps: number): string {
  const sq = g.node('Mul', [x, x]);
  const mean = g.node('ReduceMean', [sq], { attrs: { axes: [-1], keepdims: 1 } });
  const denom = g.node('Sqrt', [g.node('Add', [mean, g.constFloat(eps)])]);
  const normed = g.node('Div', [x, denom]);
  return g.node('Mul', [normed, g.initFloat(`${name}.weight`, [weight.length], weight)]);
}

export function layerNorm(g: GraphBuilder, x: string, name: string, weight: Float32Array, bias: Float32Array, eps: number): string {
  const w = g.initFloat(`${name}.weight`, [weight.length], weight);
  const b = g.initFloat(`${name}.bias`, [bias.length], bias);
  return g.node('LayerNormalization', [x, w, b], { attrs: { axis: -1, epsilon: { float: eps } } });
}

/** [B, S, heads*hd] -> [B, heads, S, hd] */
export function splitHeads(g: GraphBuilder, x: string, heads: number, hd: number): string {
  const r = g.node('Reshape', [x, g.constInt64([0, 0, heads, hd])]);
  return g.node('Transpose', [r], { attrs: { perm: [0, 2, 1, 3] } });
}

/** [B, heads, S, hd] -> [B, S, heads*hd] */
export function mergeHeads(g: GraphBuilder, x: string, heads: number, hd: number): string {
  const t = g.node('Transpose', [x], { attrs: { perm: [0, 2, 1, 3] } });
  return g.node('Reshape', [t, g.constInt64([0, 0, heads * hd])]);
}

/** Dimension `axis` of `x` as a 1-element int64 tensor. */
export function dim(g: GraphBuilder, x: string, axis: number): string {
  return g.node('Shape', [x], { attrs: { start: axis, end: axis + 1 } });
}

/**
 * The additive attention mask [B, 1, S, T] for queries at the last S of T positions: a key is
 * visible when it is not later than the query (by index, so left padding is handled by the
 * attention mask alone) and its attention_mask entry is 1. Masked entries get -1e9, a finite
 * value, so rows that see nothing (left-pad queries) give a uniform softmax rather than NaN.
 */
export function attentionBias(g: GraphBuilder, inputIds: string, attentionMask: string): string {
  const S = g.node('Squeeze', [dim(g, inputIds, 1), g.constInt64([0])]);
  const T = g.node('Squeeze', [dim(g, attentionMask, 1), g.constInt64([0])]);
  const zero = g.constInt64([0], true);
  const one = g.constInt64([1], true);
  const past = g.node('Sub', [T, S]);
  const qPos = g.node('Add', [g.node('Range', [zero, S, one]), past]); // [S]
  const kPos = g.node('Range', [zero, T, one]); // [T]
  const qCol = g.node('Unsqueeze', [qPos, g.constInt64([1])]); // [S,1]
  const kRow = g.node('Unsqueeze', [kPos, g.constInt64([0])]); // [1,T]
  const future = g.node('Greater', [kRow, qCol]); // [S,T]
  const neg = g.constFloat(-1e9);
  const zf = g.constFloat(0);
  const causal = g.node('Where', [future, neg, zf]); // [S,T]
  const maskF = g.node('Cast', [attentionMask], { attrs: { to: DT.FLOAT } }); // [B,T]
  const pad = g.node('Mul', [g.node('Sub', [g.constFloat(1), maskF]), neg]); // [B,T]
  const pad4 = g.node('Unsqueeze', [pad, g.constInt64([1, 2])]); // [B,1,1,T]
  return g.node('Add', [pad4, causal]); // [B,1,S,T]
}

/**
 * Scaled dot-product attention with grouped-query heads: q [B, H, S, hd], k/v [B, KVH, T, hd].
 * Query head h reads kv head h / (H / KVH), as Hugging Face's repeat_kv does; instead of copying
 * k and v per group, q is viewed as [B, KVH, G*S, hd].
 */
export function attention(g: GraphBuilder, q: string, k: string, v: string, bias: string, H: number, KVH: number, hd: number): string {
  const qg = H === KVH ? q : g.node('Reshape', [q, g.constInt64([0, KVH, -1, hd])]);
  const kt = g.node('Transpose', [k], { attrs: { perm: [0, 1, 3, 2] } });
  let scores = g.node('MatMul', [qg, kt]); // [B, KVH, G*S, T]
  if (H !== KVH) scores = g.node('Reshape', [scores, g.constInt64([0, H, -1, 0])]); // [B, H, S, T]
  scores = g.node('Mul', [scores, g.constFloat(1 / Math.sqrt(hd))]);
  scores = g.node('Add', [scores, bias]);
  let probs = g.node('Softmax', [scores], { attrs: { axis: -1 } });
  if (H !== KVH) probs = g.node('Reshape', [probs, g.constInt64([0, KVH, -1, 0])]);
  let out = g.node('MatMul', [probs, v]); // [B, KVH, G*S, hd]
  if (H !== KVH) out = g.node('Reshape', [out, g.constInt64([0, H, -1, hd])]);
  return out;
}

/** Appends this step's keys or values to the cache: returns the `present` tensor [B, KVH, T, hd]. */
export function appendCache(g: GraphBuilder, past: string, cur: string, presentName: string): string {
  return g.node('Concat', [past, cur], { attrs: { axis: 2 }, outputs: [presentName] });
}

/** Keeps the last `numLogitsToKeep` positions of [B, S, D] (the scalar input of onnx-community exports). */
export function keepLast(g: GraphBuilder, x: string, numLogitsToKeep: string): string {
  const k = g.node('Unsqueeze', [numLogitsToKeep, g.constInt64([0])]);
  const start = g.node('Neg', [k]);
  return g.node('Slice', [x, start, g.constInt64([Number.MAX_SAFE_INTEGER]), g.constInt64([1])]);
}
