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
  /** Qwen2/2.5: q, k and v projections have biases. */
  attentionBias?: boolean;
  /** Qwen3: RMSNorm over head_dim on each query and key head, before the rotary positions. */
  qkNorm?: boolean;
  /** Llama 3.x: the rope_type "llama3" frequency scaling. */
  ropeScaling?: { factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };
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
  qBias?: Float32Array;
  kBias?: Float32Array;
  vBias?: Float32Array;
  qNorm?: Float32Array; // [hd]
  kNorm?: Float32Array; // [hd]
}

export interface LlamaWeights {
  embed: Float32Array; // [V, D]
  layers: LlamaLayerWeights[];
  finalNorm: Float32Array;
  lmHead: Float32Array; // [D, V]; the transpose of embed when tied
}

export interface LlamaGraphOptions {
  /** Declare the scalar num_logits_to_keep input (default true). */
  numLogitsToKeep?: boolean;
  /**
   * The interface's float type: 'float16' gives float16 past/present and logits, as fp16 and q4f16
   * exports have (computation inside stays float32, with Casts at the edges).
   */
  ioType?: 'float32' | 'float16';
  /** Build into this builder (an If branch) instead of a new graph. */
  into?: GraphBuilder;
  /** Prefix for the output names (branch outputs must not reuse the If node's output names). */
  outputPrefix?: string;
}

export function buildLlamaOnnx(cfg: LlamaConfig, w: LlamaWeights, format: WeightFormat, opts: LlamaGraphOptions = {}): Uint8Array {
  return buildLlamaGraph(cfg, w, format, opts).finish();
}

/** The graph before serialisation, e.g. to write its weights as external data. */
export function buildLlamaGraph(cfg: LlamaConfig, w: LlamaWeights, format: WeightFormat, opts: LlamaGraphOptions = {}): GraphBuilder {
  const { hiddenSize: D, numHeads: H, numKvHeads: KVH, headDim: hd, intermediateSize: F, vocabSize: V } = cfg;
  const g = opts.into ?? new GraphBuilder('llama');
  const out = (name: string) => `${opts.outputPrefix ?? ''}${name}`;
  const io = opts.ioType === 'float16' ? DT.FLOAT16 : DT.FLOAT;
  const toF32 = (x: string) => (io === DT.FLOAT16 ? g.node('Cast', [x], { attrs: { to: DT.FLOAT } }) : x);
  const toIo = (x: string, name: string) => g.node(io === DT.FLOAT16 ? 'Cast' : 'Identity', [x], { outputs: [name], ...(io === DT.FLOAT16 ? { attrs: { to: DT.FLOAT16 } } : {}) });
  const inputIds = g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', DT.INT64, ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const pastNames = cfg.numLayers ? Array.from({ length: cfg.numLayers }, (_, i) => ({
    key: toF32(g.input(`past_key_values.${i}.key`, io, ['batch_size', KVH, 'past_sequence_length', hd])),
    value: toF32(g.input(`past_key_values.${i}.value`, io, ['batch_size', KVH, 'past_sequence_length', hd])),
  })) : [];
  const keep = opts.numLogitsToKeep !== false ? g.input('num_logits_to_keep', DT.INT64, []) : null;

  let x = g.node('Gather', [g.initFloat('model.embed_tokens.weight', [V, D], w.embed), inputIds], { attrs: { axis: 0 } });

  const half = hd / 2;
  const { cos: cosT, sin: sinT } = rotaryTables(cfg);
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
    const headNorm = (t: string, which: 'q' | 'k', weight?: Float32Array) => (weight ? rmsNorm(g, t, `${p}.self_attn.${which}_norm`, weight, cfg.rmsNormEps) : t);
    const q = rope(headNorm(splitHeads(g, linear(g, h, `${p}.self_attn.q_proj`, lw.q, D, H * hd, format, lw.qBias), H, hd), 'q', lw.qNorm));
    const k = rope(headNorm(splitHeads(g, linear(g, h, `${p}.self_attn.k_proj`, lw.k, D, KVH * hd, format, lw.kBias), KVH, hd), 'k', lw.kNorm));
    const v = splitHeads(g, linear(g, h, `${p}.self_attn.v_proj`, lw.v, D, KVH * hd, format, lw.vBias), KVH, hd);
    const kAll = appendCache(g, pastNames[i].key, k, g.fresh(`present_${i}_key`));
    const vAll = appendCache(g, pastNames[i].value, v, g.fresh(`present_${i}_value`));
    toIo(kAll, out(`present.${i}.key`));
    toIo(vAll, out(`present.${i}.value`));
    g.output(out(`present.${i}.key`), io, ['batch_size', KVH, 'total_sequence_length', hd]);
    g.output(out(`present.${i}.value`), io, ['batch_size', KVH, 'total_sequence_length', hd]);
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
  toIo(logits, out('logits'));
  g.output(out('logits'), io, ['batch_size', 'num_logits', V]);
  return g;
}

/**
 * Rotary tables indexed by position id, [maxPositions, hd/2]: cos/sin of pos * inv_freq[i], with
 * inv_freq[i] = theta^(-2i/hd), rescaled as transformers' rope_type "llama3" does where configured.
 */
export function rotaryTables(cfg: LlamaConfig): { cos: Float32Array; sin: Float32Array } {
  const hd = cfg.headDim;
  const half = hd / 2;
  const invFreq = Array.from({ length: half }, (_, i) => 1 / Math.pow(cfg.ropeTheta, (2 * i) / hd));
  const sc = cfg.ropeScaling;
  if (sc) {
    const lowWavelen = sc.originalMaxPositions / sc.lowFreqFactor;
    const highWavelen = sc.originalMaxPositions / sc.highFreqFactor;
    for (let i = 0; i < half; i++) {
      const wavelen = (2 * Math.PI) / invFreq[i];
      if (wavelen > lowWavelen) invFreq[i] /= sc.factor;
      else if (wavelen >= highWavelen) {
        const smooth = (sc.originalMaxPositions / wavelen - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
        invFreq[i] = (1 - smooth) * (invFreq[i] / sc.factor) + smooth * invFreq[i];
      }
    }
  }
  const cos = new Float32Array(cfg.maxPositions * half);
  const sin = new Float32Array(cfg.maxPositions * half);
  for (let p = 0; p < cfg.maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      // Unscaled tables keep the original expression, so existing models' bytes do not change.
      const angle = sc ? p * invFreq[i] : p / Math.pow(cfg.ropeTheta, (2 * i) / hd);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
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
