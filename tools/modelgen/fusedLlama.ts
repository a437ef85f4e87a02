/**
 * A Llama-family decoder in the fused style of onnxruntime's exports (onnxruntime-genai's model
 * builder, and the transformer optimizer behind onnx-community/Llama-3.2-1B-Instruct):
 *   - attention is com.microsoft GroupQueryAttention, fed seqlens_k = ReduceSum(attention_mask) - 1
 *     and total_sequence_length = Shape(attention_mask)[1], computed in the graph. It never sees the
 *     mask itself, so it assumes each row's real tokens come first (right padding);
 *   - rotary positions are fused into it (do_rotary=1 with cos/sin caches) or, where the graph
 *     declares position_ids, applied by com.microsoft RotaryEmbedding before it;
 *   - norms are SimplifiedLayerNormalization and com.microsoft SkipSimplifiedLayerNormalization
 *     (the residual sum is its fourth output);
 *   - no num_logits_to_keep: logits for every position;
 *   - weights fp32 (MatMul), q4 (MatMulNBits, float32 scales) or q4f16 (float16 activations, caches,
 *     scales and logits).
 * It takes the same weights as the plain builder (llama.ts), which is its oracle twin.
 */
import { linear as linearLayer } from './layers.ts';
import { DT, GraphBuilder } from './onnx.ts';
import { rotaryTables, type LlamaConfig, type LlamaWeights } from './llama.ts';

export type FusedFormat = 'fp32' | 'q4' | 'q4f16';

export interface FusedStyle {
  format: FusedFormat;
  /** Declare position_ids and rotate with RotaryEmbedding; otherwise GroupQueryAttention derives positions. */
  positionIds: boolean;
  /** MatMulNBits block size (32 in the builder and in transformers.js's quantizer). */
  blockSize?: number;
  /** MatMulNBits accuracy_level (the builder writes 4 for CPU int4: int8 activations). */
  accuracyLevel?: number;
}

export function buildFusedLlamaGraph(cfg: LlamaConfig, w: LlamaWeights, style: FusedStyle): GraphBuilder {
  const { hiddenSize: D, numHeads: H, numKvHeads: KVH, headDim: hd, intermediateSize: F, vocabSize: V } = cfg;
  const half16 = style.format === 'q4f16';
  const T = half16 ? DT.FLOAT16 : DT.FLOAT;
  const blockSize = style.blockSize ?? 32;
  const g = new GraphBuilder('fused_llama');
  const initW = (name: string, dims: number[], data: Float32Array) => (half16 ? g.initHalf(name, dims, data) : g.initFloat(name, dims, data));

  const linear = (x: string, name: string, weight: Float32Array, K: number, N: number, bias?: Float32Array): string =>
    linearLayer(g, x, name, weight, K, N, style.format === 'fp32' ? 'fp32' : 'q4', bias, { blockSize, half: half16, accuracyLevel: style.accuracyLevel });
  const simplifiedNorm = (x: string, name: string, weight: Float32Array): string =>
    g.node('SimplifiedLayerNormalization', [x, initW(`${name}.weight`, [weight.length], weight)], {
      attrs: { axis: -1, epsilon: { float: cfg.rmsNormEps }, stash_type: 1 },
      name: `${name}/SimplifiedLayerNormalization`,
    });
  /** Returns [normalised, residual sum]. */
  const skipNorm = (x: string, skip: string, name: string, weight: Float32Array): [string, string] => {
    const normed = g.fresh('skip_norm');
    const sum = g.fresh('residual');
    g.node('SkipSimplifiedLayerNormalization', [x, skip, initW(`${name}.weight`, [weight.length], weight)], {
      domain: 'com.microsoft',
      attrs: { epsilon: { float: cfg.rmsNormEps } },
      outputs: [normed, '', '', sum],
      name: `${name}/SkipLayerNorm`,
    });
    return [normed, sum];
  };

  const inputIds = g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', DT.INT64, ['batch_size', 'total_sequence_length']);
  const positionIds = style.positionIds ? g.input('position_ids', DT.INT64, ['batch_size', 'sequence_length']) : null;
  const past = Array.from({ length: cfg.numLayers }, (_, i) => ({
    key: g.input(`past_key_values.${i}.key`, T, ['batch_size', KVH, 'past_sequence_length', hd]),
    value: g.input(`past_key_values.${i}.value`, T, ['batch_size', KVH, 'past_sequence_length', hd]),
  }));

  // What GroupQueryAttention needs in place of the mask, as the builder computes it.
  const rowSums = g.node('ReduceSum', [attentionMask, g.constInt64([1])], { attrs: { keepdims: 0 } });
  const seqlensK = g.node('Cast', [g.node('Sub', [rowSums, g.constInt64([1], true)])], { attrs: { to: DT.INT32 }, outputs: ['seqlens_k'] });
  const totalLen = g.node('Cast', [g.node('Gather', [g.node('Shape', [attentionMask]), g.constInt64([1], true)], { attrs: { axis: 0 } })], { attrs: { to: DT.INT32 }, outputs: ['total_seq_len'] });

  const { cos, sin } = rotaryTables(cfg);
  const cosCache = initW('cos_cache', [cfg.maxPositions, hd / 2], cos);
  const sinCache = initW('sin_cache', [cfg.maxPositions, hd / 2], sin);
  const rotate = (x: string, heads: number): string =>
    g.node('RotaryEmbedding', [x, positionIds!, cosCache, sinCache], { domain: 'com.microsoft', attrs: { interleaved: 0, num_heads: heads } });
  const headNorm = (x: string, heads: number, name: string, weight?: Float32Array): string => {
    if (!weight) return x;
    const split = g.node('Reshape', [x, g.constInt64([0, 0, heads, hd])]);
    return g.node('Reshape', [simplifiedNorm(split, name, weight), g.constInt64([0, 0, heads * hd])]);
  };

  let residual = g.node('Gather', [initW('model.embed_tokens.weight', [V, D], w.embed), inputIds], { attrs: { axis: 0 } });
  let h = simplifiedNorm(residual, 'model.layers.0.input_layernorm', w.layers[0].inputNorm);
  w.layers.forEach((lw, i) => {
    const p = `model.layers.${i}`;
    let q = headNorm(linear(h, `${p}.self_attn.q_proj`, lw.q, D, H * hd, lw.qBias), H, `${p}.self_attn.q_norm`, lw.qNorm);
    let k = headNorm(linear(h, `${p}.self_attn.k_proj`, lw.k, D, KVH * hd, lw.kBias), KVH, `${p}.self_attn.k_norm`, lw.kNorm);
    const v = linear(h, `${p}.self_attn.v_proj`, lw.v, D, KVH * hd, lw.vBias);
    if (positionIds) {
      q = rotate(q, H);
      k = rotate(k, KVH);
    }
    const attnOut = g.fresh('attn');
    g.node('GroupQueryAttention', [q, k, v, past[i].key, past[i].value, seqlensK, totalLen, ...(positionIds ? [] : [cosCache, sinCache])], {
      domain: 'com.microsoft',
      attrs: { num_heads: H, kv_num_heads: KVH, do_rotary: positionIds ? 0 : 1, rotary_interleaved: 0, scale: { float: 1 / Math.sqrt(hd) } },
      outputs: [attnOut, `present.${i}.key`, `present.${i}.value`],
      name: `${p}/attn/GroupQueryAttention`,
    });
    g.output(`present.${i}.key`, T, ['batch_size', KVH, 'total_sequence_length', hd]);
    g.output(`present.${i}.value`, T, ['batch_size', KVH, 'total_sequence_length', hd]);
    const o = linear(attnOut, `${p}.self_attn.o_proj`, lw.o, H * hd, D);
    [h, residual] = skipNorm(o, residual, `${p}.post_attention_layernorm`, lw.postNorm);
    const gate = linear(h, `${p}.mlp.gate_proj`, lw.gate, D, F);
    const up = linear(h, `${p}.mlp.up_proj`, lw.up, D, F);
    const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
    const down = linear(act, `${p}.mlp.down_proj`, lw.down, F, D);
    const nextNorm = i + 1 < w.layers.length ? { name: `model.layers.${i + 1}.input_layernorm`, weight: w.layers[i + 1].inputNorm } : { name: 'model.norm', weight: w.finalNorm };
    [h, residual] = skipNorm(down, residual, nextNorm.name, nextNorm.weight);
  });
  const logits = linear(h, 'lm_head', w.lmHead, D, V);
  g.node('Identity', [logits], { outputs: ['logits'] });
  g.output('logits', T, ['batch_size', 'sequence_length', V]);
  return g;
}
