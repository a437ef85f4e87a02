/**
 * A GPT-2-style decoder (learned positions, LayerNorm, GELU MLP, biases, tied head) as an ONNX
 * graph with the inputs of older transformers.js exports: input_ids, attention_mask and
 * past_key_values only. It declares neither position_ids nor num_logits_to_keep, so it exercises
 * the engine's paths for graphs without them: positions are derived inside the graph from the
 * attention mask (cumsum - 1), as Hugging Face's GPT-2 does for left-padded batches.
 */
import { DT, GraphBuilder } from './onnx.ts';
import { appendCache, attention, attentionBias, dim, layerNorm, linear, mergeHeads, splitHeads, type WeightFormat } from './layers.ts';

export interface Gpt2Config {
  vocabSize: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nPositions: number;
  layerNormEps: number;
  bosTokenId: number;
  eosTokenId: number;
}

export interface Gpt2LayerWeights {
  ln1: { w: Float32Array; b: Float32Array };
  qkv: { w: Float32Array; b: Float32Array }; // [D, 3D]
  proj: { w: Float32Array; b: Float32Array }; // [D, D]
  ln2: { w: Float32Array; b: Float32Array };
  fc: { w: Float32Array; b: Float32Array }; // [D, 4D]
  fcProj: { w: Float32Array; b: Float32Array }; // [4D, D]
}

export interface Gpt2Weights {
  wte: Float32Array; // [V, D]
  wpe: Float32Array; // [P, D]
  layers: Gpt2LayerWeights[];
  lnF: { w: Float32Array; b: Float32Array };
}

export function buildGpt2Onnx(cfg: Gpt2Config, w: Gpt2Weights, format: WeightFormat): Uint8Array {
  const { nEmbd: D, nHead: H, vocabSize: V } = cfg;
  const hd = D / H;
  const g = new GraphBuilder('gpt2');
  const inputIds = g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', DT.INT64, ['batch_size', 'total_sequence_length']);
  const past = w.layers.map((_, i) => ({
    key: g.input(`past_key_values.${i}.key`, DT.FLOAT, ['batch_size', H, 'past_sequence_length', hd]),
    value: g.input(`past_key_values.${i}.value`, DT.FLOAT, ['batch_size', H, 'past_sequence_length', hd]),
  }));

  // Positions of the current tokens: cumsum(mask) - 1 over all T, clipped at 0, last S columns.
  const cum = g.node('CumSum', [attentionMask, g.constInt64([1], true)]);
  const pos = g.node('Max', [g.node('Sub', [cum, g.constInt64([1], true)]), g.constInt64([0], true)]);
  const negS = g.node('Neg', [dim(g, inputIds, 1)]);
  const curPos = g.node('Slice', [pos, negS, g.constInt64([Number.MAX_SAFE_INTEGER]), g.constInt64([1])]);

  const wte = g.initFloat('transformer.wte.weight', [V, D], w.wte);
  const tok = g.node('Gather', [wte, inputIds], { attrs: { axis: 0 } });
  const posEmb = g.node('Gather', [g.initFloat('transformer.wpe.weight', [cfg.nPositions, D], w.wpe), curPos], { attrs: { axis: 0 } });
  let x = g.node('Add', [tok, posEmb]);
  const bias = attentionBias(g, inputIds, attentionMask);

  w.layers.forEach((lw, i) => {
    const p = `transformer.h.${i}`;
    const h = layerNorm(g, x, `${p}.ln_1`, lw.ln1.w, lw.ln1.b, cfg.layerNormEps);
    const qkv = linear(g, h, `${p}.attn.c_attn`, lw.qkv.w, D, 3 * D, format, lw.qkv.b);
    const [q, k, v] = g.nodeMulti('Split', [qkv, g.constInt64([D, D, D])], 3, { axis: -1 });
    const kAll = appendCache(g, past[i].key, splitHeads(g, k, H, hd), `present.${i}.key`);
    const vAll = appendCache(g, past[i].value, splitHeads(g, v, H, hd), `present.${i}.value`);
    g.output(`present.${i}.key`, DT.FLOAT, ['batch_size', H, 'total_sequence_length', hd]);
    g.output(`present.${i}.value`, DT.FLOAT, ['batch_size', H, 'total_sequence_length', hd]);
    const att = mergeHeads(g, attention(g, splitHeads(g, q, H, hd), kAll, vAll, bias, H, H, hd), H, hd);
    x = g.node('Add', [x, linear(g, att, `${p}.attn.c_proj`, lw.proj.w, D, D, format, lw.proj.b)]);
    const h2 = layerNorm(g, x, `${p}.ln_2`, lw.ln2.w, lw.ln2.b, cfg.layerNormEps);
    const fc = linear(g, h2, `${p}.mlp.c_fc`, lw.fc.w, D, 4 * D, format, lw.fc.b);
    // Exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))).
    const gelu = g.node('Mul', [g.node('Mul', [fc, g.constFloat(0.5)]), g.node('Add', [g.constFloat(1), g.node('Erf', [g.node('Mul', [fc, g.constFloat(Math.SQRT1_2)])])])]);
    x = g.node('Add', [x, linear(g, gelu, `${p}.mlp.c_proj`, lw.fcProj.w, 4 * D, D, format, lw.fcProj.b)]);
  });

  x = layerNorm(g, x, 'transformer.ln_f', w.lnF.w, w.lnF.b, cfg.layerNormEps);
  // Tied head: logits = x @ wte^T, read from the same initializer.
  const logits = g.node('MatMul', [x, g.node('Transpose', [wte], { attrs: { perm: [1, 0] } })], { outputs: ['logits'] });
  void logits;
  g.output('logits', DT.FLOAT, ['batch_size', 'sequence_length', V]);
  return g.finish();
}

export function gpt2ConfigJson(cfg: Gpt2Config): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: cfg.vocabSize,
    n_embd: cfg.nEmbd,
    n_layer: cfg.nLayer,
    n_head: cfg.nHead,
    n_positions: cfg.nPositions,
    n_ctx: cfg.nPositions,
    layer_norm_epsilon: cfg.layerNormEps,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    tie_word_embeddings: true,
  };
}
