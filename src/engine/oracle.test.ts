/**
 * The engine against an independent oracle: a float64 forward pass written in plain TypeScript
 * (src/test/referenceForward.ts) over the same weights, regenerated from the builders' seeds. Engine
 * scores (left- or right-padded batches, chunked, with and without num_logits_to_keep) must match
 * it, and generated tokens must be the ones its logits and the brute-force sampler give.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODEL_SEEDS, TINY_GPT2, TINY_LLAMA } from '../../tools/build-test-models.ts';
import type { Gpt2Config } from '../../tools/modelgen/gpt2.ts';
import type { LlamaConfig } from '../../tools/modelgen/llama.ts';
import { randomGpt2Weights, randomLlamaWeights } from '../../tools/modelgen/randomWeights.ts';
import { REPLICAS } from '../../tools/modelgen/replicas.ts';
import { bruteForceSample } from '../test/bruteForceSampler.ts';
import { gpt2Reference, llamaReference, logSoftmax } from '../test/referenceForward.ts';
import { REPLICAS_DIR, TINY_GPT2_DIR, TINY_LLAMA_DIR } from '../test/testModels.ts';
import type { ScorePair } from './engine.ts';
import type { LoadedModel } from './loadModel.ts';
import { loadNodeModel } from './node/nodeModel.ts';
import { SeededRandom } from '../util/random.ts';

type Reference = (ids: readonly number[]) => Float64Array[];

async function vocabOf(dir: string): Promise<number> {
  return (JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as { vocab_size: number }).vocab_size;
}

interface Case {
  label: string;
  dir: string;
  dtype: 'fp32' | 'q4';
  reference: () => Promise<Reference>;
}

const llamaRef = (base: Omit<LlamaConfig, 'vocabSize' | 'bosTokenId' | 'eosTokenId'>, seed: number, dir: string, q4: boolean) => async (): Promise<Reference> => {
  const cfg: LlamaConfig = { ...base, vocabSize: await vocabOf(dir), bosTokenId: 0, eosTokenId: 0 };
  const w = randomLlamaWeights(cfg, seed);
  return (ids) => llamaReference(cfg, w, ids, { q4 });
};

const cases: Case[] = [
  ...(['fp32', 'q4'] as const).map((dtype) => ({ label: `tiny-llama ${dtype}`, dir: TINY_LLAMA_DIR, dtype, reference: llamaRef(TINY_LLAMA, TEST_MODEL_SEEDS.llama, TINY_LLAMA_DIR, dtype === 'q4') })),
  ...(['fp32', 'q4'] as const).map((dtype) => ({
    label: `tiny-gpt2 ${dtype}`,
    dir: TINY_GPT2_DIR,
    dtype,
    reference: async (): Promise<Reference> => {
      const cfg: Gpt2Config = { ...TINY_GPT2, vocabSize: await vocabOf(TINY_GPT2_DIR), bosTokenId: 0, eosTokenId: 0 };
      const w = randomGpt2Weights(cfg, TEST_MODEL_SEEDS.gpt2);
      return (ids) => gpt2Reference(cfg, w, ids, { q4: dtype === 'q4' });
    },
  })),
  // Every replica's fp32 and q4 files: fused GroupQueryAttention, RotaryEmbedding, q/k norm, biases,
  // llama3 rope scaling and the merged decoder, all against the same plain definition.
  ...REPLICAS.flatMap((spec) =>
    (['fp32', 'q4'] as const).map((dtype) => {
      const dir = path.join(REPLICAS_DIR, spec.name);
      return { label: `${spec.name} ${dtype}`, dir, dtype, reference: llamaRef(spec.config, spec.seed, dir, dtype === 'q4') };
    }),
  ),
];

describe.each(cases)('$label against the float64 reference', ({ dir, dtype, reference }) => {
  let model: LoadedModel;
  let chunked: LoadedModel;
  let ref: Reference;
  let pairs: ScorePair[];
  beforeAll(async () => {
    model = await loadNodeModel(dir, { dtype });
    chunked = await loadNodeModel(dir, { dtype, restrictLogits: false, limits: { maxLogitsBytes: 2 * model.info.shape.vocabSize * 4 } });
    ref = await reference();
    const enc = (s: string) => model.tokenizer.encode(s);
    // Shortest first: the engine batches longest first, so a row's place in a micro-batch is not
    // its index in the call (each row's random stream must follow the index).
    pairs = [
      { context: enc('x'), continuation: enc(' y z') },
      { context: enc('Data:'), continuation: enc(' the answer') },
      { context: enc('Given the input numbers 8 and 0, the answer is'), continuation: enc(' 8. and the rule') },
    ];
  });
  afterAll(async () => {
    await model?.dispose();
    await chunked?.dispose();
  });

  const expected = (p: ScorePair) => {
    const ids = [...model.engine.withPrefix(p.context), ...p.continuation];
    const rows = ref(ids);
    const start = ids.length - p.continuation.length - 1;
    return p.continuation.map((tok, j) => logSoftmax(rows[start + j])[tok]);
  };

  it('scores a padded batch, and in chunks, as the reference does', async () => {
    for (const engine of [model.engine, chunked.engine]) {
      const got = await engine.score(pairs);
      pairs.forEach((p, i) => {
        const want = expected(p);
        want.forEach((v, j) => expect(Math.abs(got[i].logprobs[j] - v), `pair ${i} token ${j}`).toBeLessThanOrEqual(1e-4));
      });
    }
  });

  it('generates, greedy and sampled, the tokens the reference logits and the brute-force sampler give', async () => {
    const contexts = pairs.map((p) => p.context);
    const opts = { max_new_tokens: 5, seed: 11, temperature: 1.7, top_k: 20, top_p: 0.9, repetition_penalty: 1.3 };
    for (const sampled of [false, true]) {
      const got = await model.engine.generate(contexts, { ...opts, do_sample: sampled });
      contexts.forEach((c, row) => {
        const ids = [...model.engine.withPrefix(c)];
        const rng = SeededRandom.stream(opts.seed, row);
        for (let step = 0; step < opts.max_new_tokens; step++) {
          const logits = ref(ids).at(-1)!;
          const brute = { ...opts, temperature: sampled ? opts.temperature : 0, banned: [], suppressed: model.engine.eosTokenIds };
          const token = bruteForceSample(logits, new Set(ids), brute, sampled ? rng.next() : 0);
          expect(got[row][step], `row ${row} step ${step}`).toBe(token);
          ids.push(token);
        }
      });
    }
  });
});
