/**
 * A merged decoder in the layout of optimum's `decoder_model_merged.onnx` (older transformers.js
 * exports, Xenova/*): one graph whose boolean input `use_cache_branch` picks, through an If node,
 * either the branch that reads past_key_values or the one that ignores them (a first pass with
 * dummy pasts). Each branch is the plain Llama decoder (llama.ts); the no-cache branch sees the
 * pasts cut to length zero, so a caller that feeds the wrong flag gets wrong logits.
 */
import { DT, GraphBuilder } from './onnx.ts';
import { buildLlamaGraph, type LlamaConfig, type LlamaWeights } from './llama.ts';
import type { WeightFormat } from './layers.ts';

/** A branch body: it reads the outer graph's inputs by name instead of declaring its own. */
class BranchBuilder extends GraphBuilder {
  constructor(
    name: string,
    private readonly ignorePast: boolean,
  ) {
    super(name, `${name}/`);
  }

  override input(name: string): string {
    if (!this.ignorePast || !name.startsWith('past_key_values.')) return name;
    return this.node('Slice', [name, this.constInt64([0]), this.constInt64([0]), this.constInt64([2])]);
  }
}

export function buildMergedLlamaGraph(cfg: LlamaConfig, w: LlamaWeights, format: WeightFormat): GraphBuilder {
  const { numKvHeads: KVH, headDim: hd, vocabSize: V } = cfg;
  const g = new GraphBuilder('merged_llama');
  g.input('input_ids', DT.INT64, ['batch_size', 'sequence_length']);
  g.input('attention_mask', DT.INT64, ['batch_size', 'total_sequence_length']);
  g.input('position_ids', DT.INT64, ['batch_size', 'sequence_length']);
  for (let i = 0; i < cfg.numLayers; i++) {
    g.input(`past_key_values.${i}.key`, DT.FLOAT, ['batch_size', KVH, 'past_sequence_length', hd]);
    g.input(`past_key_values.${i}.value`, DT.FLOAT, ['batch_size', KVH, 'past_sequence_length', hd]);
  }
  const flag = g.input('use_cache_branch', DT.BOOL, [1]);
  const branch = (name: string, ignorePast: boolean) =>
    buildLlamaGraph(cfg, w, format, { numLogitsToKeep: false, into: new BranchBuilder(name, ignorePast), outputPrefix: `${name}/` });
  // In the order the branches declare them: each layer's present key and value, then the logits.
  const outputs = [...Array.from({ length: cfg.numLayers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat(), 'logits'];
  g.node('If', [flag], { outputs, attrs: { then_branch: { graph: branch('with_past', false) }, else_branch: { graph: branch('no_past', true) } }, name: 'optimum::if' });
  for (let i = 0; i < cfg.numLayers; i++) {
    g.output(`present.${i}.key`, DT.FLOAT, ['batch_size', KVH, 'total_sequence_length', hd]);
    g.output(`present.${i}.value`, DT.FLOAT, ['batch_size', KVH, 'total_sequence_length', hd]);
  }
  g.output('logits', DT.FLOAT, ['batch_size', 'sequence_length', V]);
  return g;
}
