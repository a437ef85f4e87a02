/**
 * Builds the tiny deterministic models the tests run on, in the Hugging Face ONNX layout:
 *   test-models/tiny-llama  Llama-style (RMSNorm, RoPE, SwiGLU, grouped-query attention 4:2),
 *                           position_ids and num_logits_to_keep inputs; fp32 with its weights in
 *                           external data (model.onnx + model.onnx_data) and q4 (MatMulNBits)
 *   test-models/tiny-gpt2   GPT-2-style (learned positions, LayerNorm, GELU, tied head), no
 *                           position_ids and no num_logits_to_keep; fp32 and q4
 * Both share a byte-level BPE tokenizer trained here on a small generated corpus. Weights are
 * random but seeded: running this twice writes identical bytes. Nothing is downloaded.
 *
 *   npx tsx tools/build-test-models.ts [outDir]   (default test-models/)
 */
import path from 'node:path';
import { trainByteLevelBpe } from './modelgen/bpe.ts';
import { buildGpt2Onnx, gpt2ConfigJson, type Gpt2Config } from './modelgen/gpt2.ts';
import { writeModelFolder } from './modelgen/layout.ts';
import { buildLlamaGraph, buildLlamaOnnx, llamaConfigJson, type LlamaConfig } from './modelgen/llama.ts';
import { buildReplicas } from './modelgen/replicas.ts';
import { mulberry32, randomGpt2Weights, randomLlamaWeights } from './modelgen/randomWeights.ts';

const WORDS = 'the a input output answer numbers number given is and of to rule prompt data sum add two plus word plural first letter last length reverse upper lower case count vowels next previous double square max min divide multiply subtract example explain find pattern each value result'.split(' ');

/** A small corpus in the shapes the product feeds its models: iPrompt templates, numbers, words. */
export function testCorpus(seed = 7, lines = 3000): string {
  const r = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const a = Math.floor(r() * 10);
    const b = Math.floor(r() * 10);
    switch (i % 4) {
      case 0:
        out.push(`Given the input numbers ${a} and ${b}, the answer is ${a + b}.\n\n`);
        break;
      case 1:
        out.push(`Data:\n\nInput: ${pick(WORDS)} Output: ${pick(WORDS)}\n\nPrompt: ${Array.from({ length: 5 }, () => pick(WORDS)).join(' ')}\n`);
        break;
      case 2:
        out.push(`${Array.from({ length: 8 }, () => pick(WORDS)).join(' ')}.\n`);
        break;
      default:
        out.push(`Given the input x is ${a * 10 + b}, the output f(x) is ${(a * 10 + b) * 2}.\n\n`);
    }
  }
  return out.join('');
}

export const TINY_LLAMA: Omit<LlamaConfig, 'vocabSize'> = {
  hiddenSize: 64,
  intermediateSize: 128,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  maxPositions: 512,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings: false,
  bosTokenId: 0,
  eosTokenId: 0,
};

/** The seeds of the test models' random weights (the engine's reference oracle regenerates them). */
export const TEST_MODEL_SEEDS = { llama: 1234, gpt2: 5678 } as const;

export const TINY_GPT2: Omit<Gpt2Config, 'vocabSize'> = { nEmbd: 64, nLayer: 2, nHead: 4, nPositions: 512, layerNormEps: 1e-5, bosTokenId: 0, eosTokenId: 0 };

export async function buildTestModels(outDir: string): Promise<string[]> {
  const bpe = trainByteLevelBpe(testCorpus(), { vocabSize: 512, specialTokens: ['<|endoftext|>'] });
  const vocabSize = bpe.vocab.size;
  const eos = bpe.vocab.get('<|endoftext|>') ?? 0;
  const gen = { bos_token_id: eos, eos_token_id: eos, pad_token_id: eos };
  const readme = (what: string) => `# ${what}\n\nA tiny model with random (seeded) weights, built by tools/build-test-models.ts for tests. It knows nothing.\n`;

  const llamaCfg: LlamaConfig = { ...TINY_LLAMA, vocabSize, bosTokenId: eos, eosTokenId: eos };
  const lw = randomLlamaWeights(llamaCfg, TEST_MODEL_SEEDS.llama);
  const llamaDir = path.join(outDir, 'tiny-llama');
  const external = buildLlamaGraph(llamaCfg, lw, 'fp32').finishWithExternalData('model.onnx_data');
  await writeModelFolder(llamaDir, {
    config: llamaConfigJson(llamaCfg),
    generationConfig: gen,
    tokenizerJson: bpe.tokenizerJson,
    tokenizerConfig: bpe.tokenizerConfig,
    graphs: { 'model.onnx': external.model, 'model.onnx_data': external.data, 'model_q4.onnx': buildLlamaOnnx(llamaCfg, lw, 'q4') },
    readme: readme('tiny-llama'),
  });

  const gptCfg: Gpt2Config = { ...TINY_GPT2, vocabSize, bosTokenId: eos, eosTokenId: eos };
  const gw = randomGpt2Weights(gptCfg, TEST_MODEL_SEEDS.gpt2);
  const gptDir = path.join(outDir, 'tiny-gpt2');
  await writeModelFolder(gptDir, {
    config: gpt2ConfigJson(gptCfg),
    generationConfig: gen,
    tokenizerJson: bpe.tokenizerJson,
    tokenizerConfig: bpe.tokenizerConfig,
    graphs: { 'model.onnx': buildGpt2Onnx(gptCfg, gw, 'fp32'), 'model_q4.onnx': buildGpt2Onnx(gptCfg, gw, 'q4') },
    readme: readme('tiny-gpt2'),
  });
  const replicas = await buildReplicas(path.join(outDir, 'replicas'), testCorpus());
  return [llamaDir, gptDir, ...replicas.flatMap((r) => [r.dir, r.twinDir])];
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('build-test-models.ts')) {
  const t0 = Date.now();
  const out = path.resolve(process.argv[2] ?? 'test-models');
  const dirs = await buildTestModels(out);
  console.log(`built ${dirs.map((d) => path.relative(process.cwd(), d)).join(', ')} in ${Date.now() - t0} ms`);
}
