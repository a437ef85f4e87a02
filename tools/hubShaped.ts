/**
 * Hub-shaped benchmark models: the architecture, vocabulary size and head layout of a catalogue
 * model, in the export style of its real repository as the replicas reproduce it (docs/models.md),
 * with random seeded weights. Built on first use into .cache/hub-shaped/<name> (ignored, never
 * committed, never downloaded): about 15 s and 850 MB for the SmolLM2-135M shape (q4 and fp32
 * files), 43 s and 815 MB for Qwen2.5-0.5B's (q4 only; its embedding stays float32, as in the
 * real q4 file). The tokenizer is the
 * matching replica's (512 tokens), with filler words up to the model's vocabulary so that every
 * sampled id decodes: the benchmarks need real token ids, not a real vocabulary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/engine/node/nodeModel.ts';
import { REPLICAS_DIR } from '../src/test/testModels.ts';
import { buildFusedLlamaGraph } from './modelgen/fusedLlama.ts';
import { writeModelFolder } from './modelgen/layout.ts';
import { buildLlamaOnnx, llamaConfigJson, type LlamaConfig } from './modelgen/llama.ts';
import { randomLlamaWeights } from './modelgen/randomWeights.ts';

interface HubShapeSpec {
  /** The replica whose export style (and tokenizer) the model takes. */
  replica: 'smollm2-gqa' | 'qwen25-plain';
  modelType: 'llama' | 'qwen2';
  config: Omit<LlamaConfig, 'bosTokenId' | 'eosTokenId'>;
  /** Also write fp32 weights (model.onnx), for the weights comparison (a single file stays under protobuf's 2 GB). */
  fp32?: boolean;
}

export const HUB_SHAPES = {
  /** HuggingFaceTB/SmolLM2-135M-Instruct's config.json: 30 layers, width 576, 9 query and 3 key-value heads of 64, vocabulary 49,152, tied embeddings; the fused GQA export. */
  'smollm2-135m': {
    replica: 'smollm2-gqa',
    modelType: 'llama',
    fp32: true,
    config: { hiddenSize: 576, intermediateSize: 1536, numLayers: 30, numHeads: 9, numKvHeads: 3, headDim: 64, vocabSize: 49152, maxPositions: 2048, rmsNormEps: 1e-5, ropeTheta: 100000, tieWordEmbeddings: true },
  },
  /** onnx-community/Qwen2.5-0.5B-Instruct's config.json: 24 layers, width 896, 14 query and 2 key-value heads of 64, q/k/v biases, vocabulary 151,936, tied; optimum's plain export without num_logits_to_keep. */
  'qwen25-0.5b': {
    replica: 'qwen25-plain',
    modelType: 'qwen2',
    config: { hiddenSize: 896, intermediateSize: 4864, numLayers: 24, numHeads: 14, numKvHeads: 2, headDim: 64, vocabSize: 151936, maxPositions: 2048, rmsNormEps: 1e-6, ropeTheta: 1000000, tieWordEmbeddings: true, attentionBias: true },
  },
} as const satisfies Record<string, HubShapeSpec>;

export type HubShape = keyof typeof HUB_SHAPES;

export const HUB_SHAPED_DIR = path.join(PROJECT_ROOT, '.cache', 'hub-shaped');

/** Raised when the weights or graphs change, so a folder built by an older version is rebuilt. */
const BUILD_VERSION = 4;
const BUILD_FILE = 'hub-shaped-build.json';

function builtVersion(dir: string): number | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, BUILD_FILE), 'utf8')).version ?? null;
  } catch {
    return null;
  }
}

/** The model folder for `name` (q4 weights, as the catalogue recommends for WASM), built if missing. */
export async function ensureHubShaped(name: HubShape, log: (s: string) => void = () => undefined): Promise<string> {
  const dir = path.join(HUB_SHAPED_DIR, name);
  if (existsSync(path.join(dir, 'onnx', 'model_q4.onnx')) && builtVersion(dir) === BUILD_VERSION) return dir;
  const shape: HubShapeSpec = HUB_SHAPES[name];
  const replica = path.join(REPLICAS_DIR, shape.replica);
  if (!existsSync(path.join(replica, 'tokenizer.json'))) throw new Error(`${replica} is missing: run \`npm run test-models\` first`);
  log(`building the ${name}-shaped benchmark model into ${dir} (random weights; once)`);
  await rm(dir, { recursive: true, force: true });
  const replicaConfig = JSON.parse(await readFile(path.join(replica, 'config.json'), 'utf8'));
  const eos = replicaConfig.eos_token_id as number | number[];
  const eosId = Array.isArray(eos) ? eos[0] : eos;
  const cfg: LlamaConfig = { ...shape.config, bosTokenId: replicaConfig.bos_token_id ?? eosId, eosTokenId: eosId };
  // Logits about 3 wide: sampled prompts differ from one another, as a real model's do (with the
  // draws at full width every sample was the same token, and the search scored one prompt a step).
  const weights = randomLlamaWeights(cfg, 135, { tiedLogitStd: 3 });
  const build = (format: 'q4' | 'fp32') => (shape.replica === 'smollm2-gqa' ? buildFusedLlamaGraph(cfg, weights, { format, positionIds: true, ...(format === 'q4' ? { accuracyLevel: 4 } : {}) }).finish() : buildLlamaOnnx(cfg, weights, format, { numLogitsToKeep: false }));
  await writeModelFolder(dir, {
    config: { ...llamaConfigJson(cfg), architectures: [shape.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'], model_type: shape.modelType, eos_token_id: eos },
    generationConfig: JSON.parse(await readFile(path.join(replica, 'generation_config.json'), 'utf8')),
    tokenizerJson: withVocabulary(JSON.parse(await readFile(path.join(replica, 'tokenizer.json'), 'utf8')), cfg.vocabSize),
    tokenizerConfig: JSON.parse(await readFile(path.join(replica, 'tokenizer_config.json'), 'utf8')),
    graphs: { 'model_q4.onnx': build('q4'), ...(shape.fp32 ? { 'model.onnx': build('fp32') } : {}) },
    readme: `# ${name} (shape only)\n\nA benchmark model with the shape of ${name} and random weights, built by tools/hubShaped.ts. It knows nothing.\n`,
  });
  await writeFile(path.join(dir, BUILD_FILE), JSON.stringify({ version: BUILD_VERSION }) + '\n');
  return dir;
}

/**
 * The replica's tokenizer with filler words (" w512", " w513", ...) up to the model's vocabulary:
 * the model samples any of its ids, and each must decode. Text is still encoded with the
 * replica's 512 tokens (no merge makes a filler word).
 */
function withVocabulary(tokenizer: { model: { vocab: Record<string, number> }; added_tokens: { id: number }[] }, size: number) {
  const vocab = { ...tokenizer.model.vocab };
  const used = new Set([...Object.values(vocab), ...tokenizer.added_tokens.map((t) => t.id)]);
  for (let id = 0; id < size; id++) if (!used.has(id)) vocab[`\u0120w${id}`] = id;
  return { ...tokenizer, model: { ...tokenizer.model, vocab } };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const name = (process.argv[2] ?? 'smollm2-135m') as HubShape;
  console.log(await ensureHubShaped(name, console.log));
}
