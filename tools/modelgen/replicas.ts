/**
 * Export replicas: tiny models that reproduce, as public sources describe them, the graph, names,
 * dtypes, config and tokenizer of the exports the app's catalogue models actually ship (docs/models.md
 * has the sources). Each replica has an oracle twin: the same weights in plain operators
 * (MatMul/Softmax attention with a general mask, llama.ts), with num_logits_to_keep, float32 I/O.
 * Weights are random but seeded; nothing is downloaded.
 */
import path from 'node:path';
import { trainByteLevelBpe, type TrainedBpe } from './bpe.ts';
import { buildFusedLlamaGraph } from './fusedLlama.ts';
import { writeModelFolder } from './layout.ts';
import { buildLlamaGraph, buildLlamaOnnx, llamaConfigJson, type LlamaConfig } from './llama.ts';
import { buildMergedLlamaGraph } from './mergedDecoder.ts';
import { randomLlamaWeights } from './randomWeights.ts';

export type ReplicaStyle =
  /** onnxruntime's fused export: GroupQueryAttention + SkipSimplifiedLayerNormalization (fusedLlama.ts). */
  | 'fused-gqa'
  /** optimum / transformers.js export: plain ops, position_ids, no num_logits_to_keep. */
  | 'plain'
  /** optimum's merged decoder with use_cache_branch (older Xenova exports). */
  | 'merged';

export interface ReplicaSpec {
  name: string;
  /** The catalogue models (hub ids) whose export this replica reproduces. */
  covers: string[];
  style: ReplicaStyle;
  modelType: 'llama' | 'qwen2' | 'qwen3';
  /** The tokenizer's post-processor adds this token in front of every text. */
  bosToken: string | null;
  specialTokens: string[];
  eosTokens: string[];
  /** Fused style: the graph declares position_ids (RotaryEmbedding) instead of fusing rotary into GQA. */
  positionIds?: boolean;
  /** Weight files written. */
  files: ('fp32' | 'q4' | 'q4f16')[];
  /**
   * Plain style: q4f16 keeps float32 graph inputs and outputs (transformers.js converts with
   * keep_io_types=True); fused style: float16 caches and logits, as the model builder writes them.
   */
  q4f16Io?: 'float32' | 'float16';
  /**
   * MatMulNBits accuracy_level in the q4 files: the model builder writes 4 (int8 activations
   * allowed, which WebGPU's kernel uses); transformers.js's quantizer leaves it unset.
   */
  accuracyLevel?: number;
  /** External data file naming: transformers.js `model.onnx_data[_N]`, or the model builder's `model.onnx.data`. */
  externalDataName?: 'underscore' | 'builder';
  /** fp32 weights in external data split in chunks of this many bytes (model.onnx_data, _1, ...). */
  externalChunkBytes?: number;
  config: Omit<LlamaConfig, 'vocabSize' | 'bosTokenId' | 'eosTokenId'>;
  seed: number;
}

const SMALL = { hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositions: 256, rmsNormEps: 1e-5 };

export const REPLICAS: readonly ReplicaSpec[] = [
  {
    name: 'llama32-gqa',
    covers: ['onnx-community/Llama-3.2-1B-Instruct'],
    style: 'fused-gqa',
    modelType: 'llama',
    bosToken: '<|begin_of_text|>',
    specialTokens: ['<|begin_of_text|>', '<|end_of_text|>', '<|eot_id|>'],
    eosTokens: ['<|end_of_text|>', '<|eot_id|>'],
    positionIds: false,
    files: ['fp32', 'q4', 'q4f16'],
    externalChunkBytes: 320 * 1024,
    config: { ...SMALL, headDim: 16, ropeTheta: 500000, tieWordEmbeddings: true, ropeScaling: { factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } },
    seed: 3201,
  },
  {
    name: 'qwen3-gqa',
    covers: ['onnx-community/Qwen3-0.6B-ONNX'],
    style: 'fused-gqa',
    modelType: 'qwen3',
    bosToken: null,
    specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
    eosTokens: ['<|im_end|>', '<|endoftext|>'],
    positionIds: true,
    files: ['fp32', 'q4', 'q4f16'],
    externalChunkBytes: Infinity,
    externalDataName: 'builder',
    accuracyLevel: 4,
    // head_dim 32 with 4 heads over a width of 64: head_dim is not hidden / heads, as in Qwen3.
    config: { ...SMALL, headDim: 32, ropeTheta: 1000000, tieWordEmbeddings: true, qkNorm: true },
    seed: 3006,
  },
  {
    name: 'smollm2-gqa',
    covers: ['HuggingFaceTB/SmolLM2-135M-Instruct', 'HuggingFaceTB/SmolLM2-360M-Instruct'],
    style: 'fused-gqa',
    modelType: 'llama',
    bosToken: null,
    specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
    eosTokens: ['<|im_end|>'],
    positionIds: true,
    files: ['fp32', 'q4', 'q4f16'],
    config: { ...SMALL, numHeads: 4, numKvHeads: 1, headDim: 16, ropeTheta: 100000, tieWordEmbeddings: true },
    seed: 1352,
  },
  {
    name: 'qwen25-plain',
    covers: ['onnx-community/Qwen2.5-0.5B-Instruct'],
    style: 'plain',
    modelType: 'qwen2',
    bosToken: null,
    specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
    eosTokens: ['<|im_end|>', '<|endoftext|>'],
    files: ['fp32', 'q4', 'q4f16'],
    q4f16Io: 'float32',
    config: { ...SMALL, headDim: 16, ropeTheta: 1000000, tieWordEmbeddings: true, attentionBias: true },
    seed: 2505,
  },
  {
    name: 'merged-decoder',
    covers: [],
    style: 'merged',
    modelType: 'llama',
    bosToken: null,
    specialTokens: ['<|endoftext|>'],
    eosTokens: ['<|endoftext|>'],
    files: ['fp32', 'q4'],
    config: { ...SMALL, headDim: 16, ropeTheta: 10000, tieWordEmbeddings: false },
    seed: 777,
  },
];

/** Graph file names per weight format, as the style's repositories name them. */
export function replicaGraphFile(spec: ReplicaSpec, format: 'fp32' | 'q4' | 'q4f16'): string {
  const stem = spec.style === 'merged' ? 'decoder_model_merged' : 'model';
  return `${stem}${format === 'fp32' ? '' : `_${format}`}.onnx`;
}

/** Llama 3's post-processor: ByteLevel, then TemplateProcessing putting BOS before every sequence. */
function withBos(tokenizerJson: object, bos: string, bosId: number): object {
  const piece = (id: string) => ({ Sequence: { id, type_id: 0 } });
  const special = { SpecialToken: { id: bos, type_id: 0 } };
  const byteLevel = (tokenizerJson as { post_processor: object }).post_processor;
  return {
    ...tokenizerJson,
    post_processor: {
      type: 'Sequence',
      processors: [
        byteLevel,
        {
          type: 'TemplateProcessing',
          single: [special, piece('A')],
          pair: [special, piece('A'), { SpecialToken: { id: bos, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { [bos]: { id: bos, ids: [bosId], tokens: [bos] } },
        },
      ],
    },
  };
}

function configJson(spec: ReplicaSpec, cfg: LlamaConfig, eosIds: number[]): Record<string, unknown> {
  const base = llamaConfigJson(cfg);
  const arch = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[spec.modelType];
  const out: Record<string, unknown> = { ...base, architectures: [arch], model_type: spec.modelType, eos_token_id: eosIds.length === 1 ? eosIds[0] : eosIds };
  if (cfg.ropeScaling) {
    out.rope_scaling = {
      rope_type: 'llama3',
      factor: cfg.ropeScaling.factor,
      low_freq_factor: cfg.ropeScaling.lowFreqFactor,
      high_freq_factor: cfg.ropeScaling.highFreqFactor,
      original_max_position_embeddings: cfg.ropeScaling.originalMaxPositions,
    };
  }
  if (spec.modelType !== 'llama') delete out.bos_token_id;
  if (spec.modelType === 'qwen2') out.use_sliding_window = false;
  if (spec.files.includes('q4f16') && spec.q4f16Io !== 'float32') out['transformers.js_config'] = { kv_cache_dtype: { q4f16: 'float16', fp16: 'float16' } };
  return out;
}

export interface BuiltReplica {
  spec: ReplicaSpec;
  dir: string;
  twinDir: string;
}

/** Builds every replica and its twin under `outDir` (`<name>/` and `<name>-twin/`). */
export async function buildReplicas(outDir: string, corpus: string): Promise<BuiltReplica[]> {
  const built: BuiltReplica[] = [];
  const tokenizers = new Map<string, TrainedBpe>();
  for (const spec of REPLICAS) {
    const key = spec.specialTokens.join('|');
    let bpe = tokenizers.get(key);
    if (!bpe) {
      bpe = trainByteLevelBpe(corpus, { vocabSize: 512, specialTokens: spec.specialTokens });
      tokenizers.set(key, bpe);
    }
    const id = (t: string) => {
      const v = bpe!.vocab.get(t);
      if (v === undefined) throw new Error(`${t} is not in the replica vocabulary`);
      return v;
    };
    const eosIds = spec.eosTokens.map(id);
    const bosId = spec.bosToken ? id(spec.bosToken) : eosIds[0];
    const cfg: LlamaConfig = { ...spec.config, vocabSize: bpe.vocab.size, bosTokenId: bosId, eosTokenId: eosIds[0] };
    const weights = randomLlamaWeights(cfg, spec.seed);
    const tokenizerJson = spec.bosToken ? withBos(bpe.tokenizerJson, spec.bosToken, bosId) : bpe.tokenizerJson;
    const tokenizerConfig = { ...bpe.tokenizerConfig, add_bos_token: spec.bosToken !== null, bos_token: spec.bosToken, eos_token: spec.eosTokens[0], pad_token: spec.eosTokens[spec.eosTokens.length - 1] };
    const generationConfig = { ...(spec.bosToken ? { bos_token_id: bosId } : {}), eos_token_id: eosIds };
    const graphs: Record<string, Uint8Array> = {};
    for (const format of spec.files) {
      const file = replicaGraphFile(spec, format);
      if (spec.style === 'fused-gqa') {
        const g = buildFusedLlamaGraph(cfg, weights, { format, positionIds: spec.positionIds ?? false, accuracyLevel: format === 'fp32' ? undefined : spec.accuracyLevel });
        if (format === 'fp32' && spec.externalChunkBytes) {
          const dataName = spec.externalDataName === 'builder' ? `${file}.data` : `${file}_data`;
          const { model, files } = g.finishWithChunkedExternalData(dataName, spec.externalChunkBytes);
          graphs[file] = model;
          Object.assign(graphs, files);
        } else graphs[file] = g.finish();
      } else if (spec.style === 'merged') {
        graphs[file] = buildMergedLlamaGraph(cfg, weights, format === 'q4f16' ? 'q4' : format).finish();
      } else {
        graphs[file] = buildLlamaOnnx(cfg, weights, format === 'q4f16' ? 'q4' : format, { numLogitsToKeep: false, ioType: format === 'q4f16' ? (spec.q4f16Io ?? 'float16') : 'float32' });
      }
    }
    const dir = path.join(outDir, spec.name);
    const readme = `# ${spec.name}\n\nAn export replica built by tools/modelgen/replicas.ts (random seeded weights; it knows nothing). Style: ${spec.style}; covers ${spec.covers.join(', ') || 'older merged-decoder exports'}. See docs/models.md.\n`;
    await writeModelFolder(dir, { config: configJson(spec, cfg, eosIds), generationConfig, tokenizerJson, tokenizerConfig, graphs, readme });
    const twinDir = path.join(outDir, `${spec.name}-twin`);
    await writeModelFolder(twinDir, {
      config: configJson(spec, cfg, eosIds),
      generationConfig,
      tokenizerJson,
      tokenizerConfig,
      graphs: { 'model.onnx': buildLlamaGraph(cfg, weights, 'fp32').finish(), 'model_q4.onnx': buildLlamaOnnx(cfg, weights, 'q4') },
      readme: `# ${spec.name}-twin\n\nThe oracle twin of ${spec.name}: the same weights in plain operators.\n`,
    });
    built.push({ spec, dir, twinDir });
  }
  return built;
}
