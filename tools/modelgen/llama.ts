/**
 * A Llama-architecture decoder (RMSNorm, rotary positions, SwiGLU, grouped-query attention) as an
 * ONNX graph with the inputs and outputs of onnx-community exports: input_ids, attention_mask,
 * position_ids, past_key_values.{i}.key|value -> logits, present.{i}.key|value, plus the scalar
 * num_logits_to_keep. Weights are given in MatMul layout [in, out].
 */
import { DT, GraphBuilder } from './onnx.ts';
import { appendCache, attention, attentionBias, keepLast, linear, mergeHeads, rmsNorm, splitHeads, type WeightFormat } from './layers.ts';

export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  maxPositions: number;
  ropeTheta: number;
  rmsNormEps: number;
  tieWordEmbeddings: boolean;
  bosTokenId: number;
  eosTokenId: number;
}

export interface LlamaLayerWeights {
  inputNorm: Float32Array;
  q: Float32Array; // [D, H*hd]
  k: Float32Array; // [D, KVH*hd]
  v: Float32Array; // [D, KVH*hd]
  o: Float32Array; // [H*hd, D]
  postNorm: Float32Array;
  gate: Float32Array; // [D, F]
  up: Float32Array; // [D, F]
  down: Float32Array; // [F, D]
}

export interface LlamaWeights {
  embed: Float32Array; // [V, D]
  layers: LlamaLayerWeights[];
  finalNorm: Float32Array;
  lmHead: Float32Array; // [D, V]; the transpose of embed when tied
}

export function buildLlamaOnnx(cfg: LlamaConfig, w: LlamaWeights, format: WeightFormat, opts: { numLogitsToKeep?: boolean } = {}): Uint8Array {
  return buildLlamaGraph(cfg, w, format, opts).finish();
}

/** The graph before serialisation, e.g. to write its weights as external data. */
export function buildLlamaGraph(cfg: LlamaConfig, w: LlamaWeights, format: WeightFormat, opts: { numLogitsToKeep?: boolean } = {}): GraphBuilder {
  const { hiddenSize: D, numHeads: H, numKvHeads: KVH, headDim: hd, intermediateSize: F, vocabSize: V } = cfg;
  const g = new GraphBuilder('llama');
  const inputIds = g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', DT.INT64, ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const pastNames = cfg.numLayers ? Array.from({ length: cfg.numLayers }, (_, i) => ({
    key: g.input(`past_key_values.${i}.key`, DT.FLOAT, ['batch_size', KVH, 'past_sequence_length', hd]),
    value: g.input(`past_key_values.${i}.value`, DT.FLOAT, ['batch_size', KVH, 'past_sequence_length', hd]),
  })) : [];
  const keep = opts.numLogitsToKeep !== false ? g.input('num_logits_to_keep', DT.INT64, []) : null;

  let x = g.node('Gather', [g.initFloat('model.embed_tokens.weight', [V, D], w.embed), inputIds], { attrs: { axis: 0 } });

  // Rotary tables indexed by position id: cos/sin of pos * theta^(-2i/hd), i < hd/2.
  const half = hd / 2;
  const cosT = new Float32Array(cfg.maxPositions * half);
  const sinT = new Float32Array(cfg.maxPositions * half);
  for (let p = 0; p < cfg.maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / Math.pow(cfg.ropeTheta, (2 * i) / hd);
      cosT[p * half + i] = Math.cos(angle);
      sinT[p * half + i] = Math.sin(angle);
    }
  }
  const gatherTable = (name: string, t: Float32Array) =>
    g.node('Unsqueeze', [g.node('Gather', [g.initFloat(name, [cfg.maxPositions, half], t), positionIds], { attrs: { axis: 0 } }), g.constInt64([1])]);
  const cos = gatherTable('rotary.cos', cosT); // [B,1,S,hd/2]
  const sin = gatherTable('rotary.sin', sinT);
  const rope = (t: string): string => {
    const [a, b] = g.nodeMulti('Split', [t, g.constInt64([half, half])], 2, { axis: -1 });
    const outA = g.node('Sub', [g.node('Mul', [a, cos]), g.node('Mul', [b, sin])]);
    const outB = g.node('Add', [g.node('Mul', [b, cos]), g.node('Mul', [a, sin])]);
    return g.node('Concat', [outA, outB], { attrs: { axis: -1 } });
  };

  const bias = attentionBias(g, inputIds, attentionMask);

  w.layers.forEach((lw, i) => {
    const p = `model.layers.${i}`;
    const h = rmsNorm(g, x, `${p}.input_layernorm`, lw.inputNorm, cfg.rmsNormEps);
    const q = rope(splitHeads(g, linear(g, h, `${p}.self_attn.q_proj`, lw.q, D, H * hd, format), H, hd));
    const k = rope(splitHeads(g, linear(g, h, `${p}.self_attn.k_proj`, lw.k, D, KVH * hd, format), KVH, hd));
    const v = splitHeads(g, linear(g, h, `${p}.self_attn.v_proj`, lw.v, D, KVH * hd, format), KVH, hd);
    const kAll = appendCache(g, pastNames[i].key, k, `present.${i}.key`);
    const vAll = appendCache(g, pastNames[i].value, v, `present.${i}.value`);
    g.output(`present.${i}.key`, DT.FLOAT, ['batch_size', KVH, 'total_sequence_length', hd]);
    g.output(`present.${i}.value`, DT.FLOAT, ['batch_size', KVH, 'total_sequence_length', hd]);
    const att = mergeHeads(g, attention(g, q, kAll, vAll, bias, H, KVH, hd), H, hd);
    x = g.node('Add', [x, linear(g, att, `${p}.self_attn.o_proj`, lw.o, H * hd, D, format)]);
    const h2 = rmsNorm(g, x, `${p}.post_attention_layernorm`, lw.postNorm, cfg.rmsNormEps);
    const gate = linear(g, h2, `${p}.mlp.gate_proj`, lw.gate, D, F, format);
    const up = linear(g, h2, `${p}.mlp.up_proj`, lw.up, D, F, format);
    const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
    x = g.node('Add', [x, linear(g, act, `${p}.mlp.down_proj`, lw.down, F, D, format)]);
  });

  x = rmsNorm(g, x, 'model.norm', w.finalNorm, cfg.rmsNormEps);
  if (keep) x = keepLast(g, x, keep);
  const logits = linear(g, x, 'lm_head', w.lmHead, D, V, format);
  g.node('Identity', [logits], { outputs: ['logits'] });
  g.output('logits', DT.FLOAT, ['batch_size', 'num_logits', V]);
  return g;
}

/** config.json in the transformers format for a Llama model. */
export function llamaConfigJson(cfg: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    head_dim: cfg.headDim,
    max_position_embeddings: cfg.maxPositions,
    rope_theta: cfg.ropeTheta,
    rms_norm_eps: cfg.rmsNormEps,
    hidden_act: 'silu',
    tie_word_embeddings: cfg.tieWordEmbeddings,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    torch_dtype: 'float32',
  };
}
