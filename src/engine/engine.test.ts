import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScorePair } from './engine.ts';
import { EngineError } from './errors.ts';
import type { LoadedModel } from './loadModel.ts';
import { loadNodeModel } from './node/nodeModel.ts';
import { TINY_GPT2_DIR, TINY_LLAMA_DIR } from '../test/testModels.ts';

const variants = [
  { name: 'llama fp32', dir: TINY_LLAMA_DIR, dtype: 'fp32' as const },
  { name: 'llama q4', dir: TINY_LLAMA_DIR, dtype: 'q4' as const },
  { name: 'gpt2 fp32', dir: TINY_GPT2_DIR, dtype: 'fp32' as const },
  { name: 'gpt2 q4', dir: TINY_GPT2_DIR, dtype: 'q4' as const },
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(variants)('engine on $name', ({ dir, dtype }) => {
  let model: LoadedModel;
  let enc: (s: string) => number[];
  beforeAll(async () => {
    model = await loadNodeModel(dir, { dtype });
    enc = (s) => model.tokenizer.encode(s);
  });
  afterAll(() => model?.dispose());

  it('reports the weights and graph conventions it found', () => {
    expect(model.info.dtype).toBe(dtype);
    expect(model.info.graphFile).toBe(dtype === 'fp32' ? 'onnx/model.onnx' : 'onnx/model_q4.onnx');
    const llama = dir === TINY_LLAMA_DIR;
    expect(model.info.graph.positionIds).toBe(llama);
    expect(model.info.graph.numLogitsToKeep).toBe(llama);
    // GPT-2 exports have no num_logits_to_keep: the engine adds an input naming the rows to project.
    expect(model.info.logits.restricted).toBe(llama ? 'export' : 'added');
    expect(model.info.shape.numKvHeads).toBe(llama ? 2 : 4);
    // tiny-llama's fp32 weights live in onnx/model.onnx_data: the loader found and fed them.
    if (llama && dtype === 'fp32') expect(model.info.files).toContain('onnx/model.onnx_data');
  });

  it('restricts the first continuation token to the given choices (mask_possible_answers)', async () => {
    const context = enc('Input: cat Answer:');
    const choices = [enc(' c')[0], enc(' d')[0], enc(' x')[0]];
    const full = await model.engine.score(choices.map((t) => ({ context, continuation: [t] })));
    const lps = full.map((r) => r.logprobs[0]);
    const max = Math.max(...lps);
    const lse = max + Math.log(lps.reduce((s, l) => s + Math.exp(l - max), 0));
    const restricted = await model.engine.score(choices.map((t) => ({ context, continuation: [t, t] })), {}, { firstTokenChoices: choices });
    const unrestricted = await model.engine.score(choices.map((t) => ({ context, continuation: [t, t] })));
    choices.forEach((_, i) => {
      expect(restricted[i].logprobs[0]).toBeCloseTo(lps[i] - lse, 4);
      expect(restricted[i].isArgmax[0]).toBe(lps[i] === max);
      // Only the first position is restricted.
      expect(restricted[i].logprobs[1]).toBeCloseTo(unrestricted[i].logprobs[1], 5);
    });
    const outside = await model.engine.score([{ context, continuation: [enc(' z')[0]] }], {}, { firstTokenChoices: choices });
    expect(outside[0].logprobs[0]).toBe(-Infinity);
  });

  it('scores a left-padded batch the same as each row alone', async () => {
    const pairs: ScorePair[] = [
      { context: enc('Given the input numbers 8 and 0, the answer is'), continuation: enc(' 8.') },
      { context: enc('Data:'), continuation: enc(' the answer is 12 and the rule') },
      { context: enc('x'), continuation: enc(' y') },
      { context: enc('Prompt: add the two numbers. Given the input numbers 3 and 4, the answer is'), continuation: enc(' 7') },
    ];
    const batched = await model.engine.score(pairs);
    for (let i = 0; i < pairs.length; i++) {
      const [alone] = await model.engine.score([pairs[i]]);
      expect(batched[i].logprobs.length).toBe(pairs[i].continuation.length);
      expect(maxAbsDiff(batched[i].logprobs, alone.logprobs)).toBeLessThanOrEqual(1e-4);
      expect(batched[i].isArgmax).toEqual(alone.isArgmax);
    }
  });

  it('scores each continuation token as incremental one-token scoring does (causal, no look-ahead)', async () => {
    const context = enc('Given the input numbers 2 and 5, the answer is');
    const continuation = enc(' 7. The rule is add');
    const [whole] = await model.engine.score([{ context, continuation }]);
    const steps = await model.engine.score(continuation.map((tok, j) => ({ context: [...context, ...continuation.slice(0, j)], continuation: [tok] })));
    const stepwise = steps.map((s) => s.logprobs[0]);
    expect(maxAbsDiff(whole.logprobs, stepwise)).toBeLessThanOrEqual(1e-4);
    // Log-probabilities are proper: negative, and not all equal (the model is not flat).
    expect(Math.max(...whole.logprobs)).toBeLessThan(0);
    expect(new Set(Array.from(whole.logprobs, (x) => x.toFixed(3))).size).toBeGreaterThan(1);
  });

  it('generates with the cache exactly what full recomputation generates', async () => {
    const contexts = [enc('Data:\n\nInput: word Output: words\n\nPrompt:'), enc('the'), enc('Given the input numbers 1 and 2,')];
    for (const do_sample of [false, true]) {
      const opts = { max_new_tokens: 8, seed: 11, do_sample, temperature: 1, top_k: 50, top_p: 0.95, repetition_penalty: 1.1 };
      const cached = await model.engine.generate(contexts, opts);
      const full = await model.engine.generate(contexts, { ...opts, use_cache: false });
      expect(cached).toEqual(full);
      expect(cached.every((row) => row.length === 8)).toBe(true);
    }
  });

  it('greedy tokens are the argmax when scored', async () => {
    const context = enc('Given the input x is 4, the output f(x) is');
    const [greedy] = await model.engine.generate([context], { max_new_tokens: 6, seed: 0, do_sample: false });
    const [scored] = await model.engine.score([{ context, continuation: greedy }]);
    expect(scored.isArgmax.every(Boolean)).toBe(true);
  });

  it('greedy generation with first-token choices starts with the most likely choice, then runs unrestricted', async () => {
    const context = enc('Input: cat Answer:');
    const choices = [enc(' c')[0], enc(' d')[0], enc(' x')[0]];
    const [free] = await model.engine.generate([context], { max_new_tokens: 1, seed: 0, do_sample: false });
    // Choices that leave out the free choice, so the restriction must change the first token.
    const allowed = choices.filter((t) => t !== free[0]).slice(0, 2);
    const lps = (await model.engine.score(allowed.map((t) => ({ context, continuation: [t] })))).map((r) => r.logprobs[0]);
    const [restricted] = await model.engine.generate([context], { max_new_tokens: 4, seed: 0, do_sample: false, firstTokenChoices: allowed });
    expect(restricted[0]).toBe(allowed[lps[0] >= lps[1] ? 0 : 1]);
    // After the first token, plain greedy: each later token is the argmax given the ones before.
    const [scored] = await model.engine.score([{ context: [...context, restricted[0]], continuation: restricted.slice(1) }]);
    expect(scored.isArgmax.every(Boolean)).toBe(true);
  });

  it('same seed gives the same samples; another seed gives others; batching does not change them', async () => {
    const contexts = [enc('Prompt:'), enc('Data:'), enc('the answer')];
    const opts = { max_new_tokens: 12, temperature: 1.5, top_k: 0, top_p: 1 };
    const a = await model.engine.generate(contexts, { ...opts, seed: 1 });
    const b = await model.engine.generate(contexts, { ...opts, seed: 1 });
    const c = await model.engine.generate(contexts, { ...opts, seed: 2 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const [alone0] = await model.engine.generate([contexts[0]], { ...opts, seed: 1 });
    expect(alone0).toEqual(a[0]);
  });

  it('never produces banned tokens or end-of-sequence before the length is reached', async () => {
    const context = enc('Data:');
    const banned = [...model.tokenizer.idsContaining('\n')];
    const eos = model.engine.eosTokenIds;
    expect(eos.length).toBeGreaterThan(0);
    const rows = await model.engine.generate(Array.from({ length: 6 }, () => context), { max_new_tokens: 16, seed: 3, temperature: 2, top_k: 0, banned_token_ids: banned });
    for (const row of rows) {
      expect(row).toHaveLength(16);
      for (const t of row) {
        expect(banned).not.toContain(t);
        expect(eos).not.toContain(t);
      }
    }
  });
});

describe('graphs without num_logits_to_keep', () => {
  it('give the same scores when fed in memory-bounded chunks', async () => {
    const whole = await loadNodeModel(TINY_GPT2_DIR, { dtype: 'fp32' });
    // 1 KiB of logits per pass forces chunks of one or two positions.
    // (Left as exported: the engine would otherwise add num_logits_to_keep and need no chunks.)
    const chunked = await loadNodeModel(TINY_GPT2_DIR, { dtype: 'fp32', limits: { maxLogitsBytes: 4096 }, restrictLogits: false });
    const enc = (s: string) => whole.tokenizer.encode(s);
    const pairs = [
      { context: enc('Given the input numbers 8 and 0, the answer is'), continuation: enc(' 8.') },
      { context: enc('Data: one two'), continuation: enc(' three four five') },
    ];
    const a = await whole.engine.score(pairs);
    const b = await chunked.engine.score(pairs);
    for (let i = 0; i < pairs.length; i++) expect(maxAbsDiff(a[i].logprobs, b[i].logprobs)).toBeLessThanOrEqual(1e-4);
    const ga = await whole.engine.generate([pairs[0].context], { max_new_tokens: 5, seed: 4 });
    const gb = await chunked.engine.generate([pairs[0].context], { max_new_tokens: 5, seed: 4 });
    expect(gb).toEqual(ga);
    await whole.dispose();
    await chunked.dispose();
  });
});

describe('4-bit weights', () => {
  it('stay close to fp32 (MatMulNBits is wired and dequantises correctly)', async () => {
    const fp32 = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'fp32' });
    const q4 = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4' });
    const enc = (s: string) => fp32.tokenizer.encode(s);
    const pair = { context: enc('Given the input numbers 8 and 0, the answer is'), continuation: enc(' 8. and the rule') };
    const [a] = await fp32.engine.score([pair]);
    const [b] = await q4.engine.score([pair]);
    const diff = maxAbsDiff(a.logprobs, b.logprobs);
    expect(diff).toBeGreaterThan(0); // really a different graph
    expect(diff).toBeLessThan(1.5);
    await fp32.dispose();
    await q4.dispose();
  });
});

describe('broken model folders', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'iprompt-bad-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  async function copyModel(name: string): Promise<string> {
    const dir = path.join(tmp, name);
    await cp(TINY_LLAMA_DIR, dir, { recursive: true });
    return dir;
  }

  async function loadError(dir: string, dtype: 'fp32' | 'q4' | 'auto' = 'fp32'): Promise<EngineError> {
    try {
      await loadNodeModel(dir, { dtype });
    } catch (err) {
      expect(err).toBeInstanceOf(EngineError);
      return err as EngineError;
    }
    throw new Error('expected the load to fail');
  }

  it('a missing graph file is BAD_MODEL naming the file', async () => {
    const dir = await copyModel('missing');
    await rm(path.join(dir, 'onnx', 'model.onnx'));
    const err = await loadError(dir);
    expect(err.code).toBe('BAD_MODEL');
    expect(err.file).toBe('onnx/model.onnx');
    expect(err.message).toContain('onnx/model.onnx');
  });

  it('missing external data is BAD_MODEL naming the data file', async () => {
    const dir = await copyModel('noext');
    await rm(path.join(dir, 'onnx', 'model.onnx_data'));
    const err = await loadError(dir);
    expect(err.code).toBe('BAD_MODEL');
    expect(err.file).toBe('onnx/model.onnx_data');
  });

  it('a truncated graph file is BAD_MODEL naming the file, not a hang', async () => {
    const dir = await copyModel('truncated');
    const file = path.join(dir, 'onnx', 'model_q4.onnx');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await loadError(dir, 'q4');
    expect(err.code).toBe('BAD_MODEL');
    expect(err.file).toBe('onnx/model_q4.onnx');
  });

  it('garbage instead of a graph is BAD_MODEL naming the file', async () => {
    const dir = await copyModel('garbage');
    await writeFile(path.join(dir, 'onnx', 'model.onnx'), 'this is not a protobuf');
    const err = await loadError(dir);
    expect(err.code).toBe('BAD_MODEL');
    expect(err.file).toBe('onnx/model.onnx');
  });

  it('a broken config.json or tokenizer.json is BAD_MODEL naming the file', async () => {
    const dir = await copyModel('badjson');
    await writeFile(path.join(dir, 'config.json'), '{"model_type": "llama",');
    expect((await loadError(dir)).file).toBe('config.json');
    await cp(path.join(TINY_LLAMA_DIR, 'config.json'), path.join(dir, 'config.json'));
    await rm(path.join(dir, 'tokenizer.json'));
    expect((await loadError(dir)).file).toBe('tokenizer.json');
  });

  it('auto picks the best weights the folder has for WASM (q4, else fp32)', async () => {
    const dir = await copyModel('autopick');
    const withQ4 = await loadNodeModel(dir, { dtype: 'auto' });
    expect(withQ4.info.dtype).toBe('q4');
    await withQ4.dispose();
    await rm(path.join(dir, 'onnx', 'model_q4.onnx'));
    const fp32Only = await loadNodeModel(dir, { dtype: 'auto' });
    expect(fp32Only.info.dtype).toBe('fp32');
    await fp32Only.dispose();
  });
});

describe('batch planning', () => {
  it('splits scoring so kept logits stay under the memory limit, with the same numbers', async () => {
    const roomy = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4' });
    // Room for the logits of about two rows of five tokens at a time.
    const V = roomy.info.shape.vocabSize;
    const tight = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4', limits: { maxLogitsBytes: 2 * 5 * V * 4 } });
    const calls: number[] = [];
    const run = tight.engine.decoder.forward.bind(tight.engine.decoder);
    tight.engine.decoder.forward = (input) => {
      calls.push(input.batch);
      return run(input);
    };
    const enc = (s: string) => roomy.tokenizer.encode(s);
    const pairs = Array.from({ length: 7 }, (_, i) => ({ context: enc(`Given the input numbers ${i} and 2, the answer is`), continuation: enc(` ${i + 2}. ok`) }));
    const a = await roomy.engine.score(pairs);
    const b = await tight.engine.score(pairs);
    expect(Math.max(...calls)).toBeLessThanOrEqual(2);
    for (let i = 0; i < pairs.length; i++) expect(maxAbsDiff(a[i].logprobs, b[i].logprobs)).toBeLessThanOrEqual(1e-4);
    await roomy.dispose();
    await tight.dispose();
  });
});
