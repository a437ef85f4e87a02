/**
 * The remote backend against the test fixture server (src/test/vllmFixtureServer.ts), which
 * answers from the engine on the shipped model: the same search through the server gives the
 * same ranking as on the engine directly; scores, samples and greedy answers equal the engine's;
 * requests are batched and bounded; failures are retried or named.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getTask } from '../datasets/tasks/index.ts';
import { startSearch, type ExplainResult } from '../iprompt/index.ts';
import type { LoadedModel } from '../engine/loadModel.ts';
import { loadNodeModel, loadNodeTokenizer } from '../engine/node/nodeModel.ts';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';
import { searchModelOf } from '../bridge/searchModel.ts';
import path from 'node:path';
import { REPLICAS_DIR, TINY_GPT2_DIR } from '../test/testModels.ts';
import { VllmFixtureServer, type FixtureOptions } from '../test/vllmFixtureServer.ts';
import { connectRemoteModel, type RemoteModelOptions } from './remoteModel.ts';
import { RemoteError, serverBase } from './serverClient.ts';

const MODEL = 'shipped/tiny-tasks-llama';
let m: LoadedModel;
const servers: VllmFixtureServer[] = [];

async function serve(opts: Partial<FixtureOptions> = {}): Promise<VllmFixtureServer> {
  const s = new VllmFixtureServer({ engine: m.engine, tokenizer: m.tokenizer, model: MODEL, ...opts });
  await s.start();
  servers.push(s);
  return s;
}

const connect = (s: VllmFixtureServer, opts: Partial<RemoteModelOptions> = {}) => connectRemoteModel({ url: s.url, model: MODEL, tokenizer: m.tokenizer, backoffMs: 1, ...opts });

async function rejection(p: Promise<unknown>): Promise<RemoteError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

beforeAll(async () => {
  m = await loadNodeModel(DEFAULT_MODEL, { dtype: 'q4' });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(() => m?.dispose());

describe('the remote backend gives the engine\'s answers', () => {
  const ctx = (t: string) => m.tokenizer.encode(t);

  it('scores every continuation token as the engine does, first-token restriction included', async () => {
    const r = await connect(await serve());
    const choices = [ctx(' cat')[0], ctx(' dog')[0], ctx(' fish')[0]];
    const pairs = [
      { context: ctx('Add the numbers. Input: 3 4 Output:'), continuation: ctx(' 7') },
      { context: ctx('Input: cat Output:'), continuation: ctx(' cat is an animal') },
      { context: ctx('x'), continuation: ctx(' dog') },
    ];
    for (const opts of [{}, { firstTokenChoices: choices }]) {
      const local = await m.engine.score(pairs, {}, opts);
      const remote = await r.score(pairs, opts);
      remote.forEach((s, i) => {
        expect(s.logprobs.length).toBe(pairs[i].continuation.length);
        Array.from(s.logprobs).forEach((x, j) => expect(x).toBeCloseTo(local[i].logprobs[j], 4));
        expect(s.isArgmax).toEqual(local[i].isArgmax);
      });
    }
    // The restricted softmax over the choices sums to 1 at the first position (hand-checked property).
    const mass = await Promise.all(choices.map(async (c) => (await r.score([{ context: pairs[0].context, continuation: [c] }], { firstTokenChoices: choices }))[0].logprobs[0]));
    expect(mass.reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 5);
  });

  it('samples what the engine samples for the same seed, row by row, and greedy answers under a restriction', async () => {
    const r = await connect(await serve());
    const contexts = [ctx('Data: 1 2 -> 3 Prompt:'), ctx('Data: cat -> cats Prompt:'), ctx('Data: 1 2 -> 3 Prompt:')];
    const sampling = { max_new_tokens: 6, seed: 42, temperature: 1, top_k: 0, top_p: 0.95, repetition_penalty: 1.2, banned_token_ids: m.tokenizer.idsContaining('\n') };
    const local = await m.engine.generate(contexts, sampling);
    expect(await r.generate(contexts, sampling)).toEqual(local);
    expect(local[0]).not.toEqual(local[2]); // the same context in two rows draws two streams
    const greedy = { ...sampling, temperature: 0, firstTokenChoices: [ctx(' cat')[0], ctx(' dog')[0]] };
    expect(await r.generate(contexts, greedy)).toEqual(await m.engine.generate(contexts, greedy));
  });

  it('reads generated ids from "token_id:N" names where the server has no token_ids (vLLM before 0.10.2)', async () => {
    const r = await connect(await serve({ legacyTokenIds: true }));
    const contexts = [ctx('Data: 1 2 -> 3 Prompt:')];
    const sampling = { max_new_tokens: 4, seed: 7, temperature: 1, top_k: 50, top_p: 1, repetition_penalty: 1, banned_token_ids: [] };
    expect(await r.generate(contexts, sampling)).toEqual(await m.engine.generate(contexts, sampling));
  });

  it('puts the BOS in front where the tokenizer adds one, as the engine does (a Llama 3-style replica)', async () => {
    const replica = await loadNodeModel(path.join(REPLICAS_DIR, 'llama32-gqa'), { dtype: 'fp32' });
    try {
      expect(replica.engine.contextPrefix.length).toBe(1);
      const s = await serve({ engine: replica.engine, tokenizer: replica.tokenizer });
      const r = await connect(s, { tokenizer: replica.tokenizer });
      const enc = (t: string) => replica.tokenizer.encode(t);
      const pairs = [{ context: enc('Input: 3 4 Output:'), continuation: enc(' 7 and') }];
      const [local] = await replica.engine.score(pairs);
      const [remote] = await r.score(pairs);
      Array.from(remote.logprobs).forEach((x, j) => expect(x).toBeCloseTo(local.logprobs[j], 4));
      const sent = s.log.filter((l) => l.path === '/v1/completions').pop()!.body!.prompt as number[][];
      expect(sent[0][0]).toBe(replica.engine.contextPrefix[0]);
      const sampling = { max_new_tokens: 3, seed: 2, temperature: 1, top_k: 0, top_p: 1, repetition_penalty: 1, banned_token_ids: [] };
      expect(await r.generate([enc('Data:')], sampling)).toEqual(await replica.engine.generate([enc('Data:')], sampling));
    } finally {
      await replica.dispose();
    }
  });

  const comparable = (x: ExplainResult) => ({ ranked: x.metadata.ranked.map((p) => p.text), prompts: x.prompts });
  const closeLosses = (a: ExplainResult, b: ExplainResult) => a.metadata.ranked.forEach((p, i) => expect(b.metadata.ranked[i].loss).toBeCloseTo(p.loss, 4));

  it('a search through the server ranks the same prompts as the same search on the engine (same seed)', async () => {
    const task = getTask('double_one');
    const ex = task.generate(10, 5);
    const options = { batch_size: 8, pop_size: 4, num_random_generations: 2, num_mutations: 2, max_n_steps: 2, n_eval: 8, seed: 5 };
    const run = (lm: Parameters<typeof startSearch>[0]) => startSearch(lm, ex.map((e) => e.input), ex.map((e) => e.output), options).result;
    const local = await run(searchModelOf(m.engine, m.tokenizer));
    const s = await serve();
    const remote = await run(await connect(s));
    expect(comparable(remote)).toEqual(comparable(local));
    closeLosses(local, remote);
    expect(local.metadata.ranked.length).toBeGreaterThan(1);
    expect(s.log.filter((l) => l.path === '/v1/completions').length).toBeGreaterThan(10);
  });

  it('the same with mask_possible_answers on a label task (the restricted first token computed from the server\'s rows)', async () => {
    const task = getTask('category');
    const ex = task.generate(12, 3);
    const options = { batch_size: 8, pop_size: 4, num_random_generations: 2, num_mutations: 2, max_n_steps: 1, n_eval: 8, seed: 9, mask_possible_answers: true };
    const run = (lm: Parameters<typeof startSearch>[0]) => startSearch(lm, ex.map((e) => e.input), ex.map((e) => e.output), options).result;
    const local = await run(searchModelOf(m.engine, m.tokenizer));
    const remote = await run(await connect(await serve()));
    expect(comparable(remote)).toEqual(comparable(local));
    closeLosses(local, remote);
  });
});

describe('requests: batched, bounded, retried', () => {
  const pairs = Array.from({ length: 40 }, (_, i) => ({ context: [i + 5, 7, 8], continuation: [9, 10] }));

  it('sends at most rowsPerRequest prompts per request, at most maxInFlight requests at once', async () => {
    const s = await serve({ latencyMs: 40 });
    const r = await connect(s, { rowsPerRequest: 8, maxInFlight: 3 });
    s.log.length = 0;
    s.maxConcurrent = 0;
    await r.score(pairs);
    const sent = s.log.filter((l) => l.path === '/v1/completions').map((l) => (l.body!.prompt as number[][]).length);
    expect(sent).toEqual([8, 8, 8, 8, 8]);
    // Five requests on a server that takes 40 ms each: three at once, never more.
    expect(s.maxConcurrent).toBe(3);
  });

  it('retries 429 (with Retry-After), 500, a hang past the timeout and a dropped connection, and gets the same answers', async () => {
    const s = await serve();
    const r = await connect(s, { rowsPerRequest: 40, timeoutMs: 2000 });
    const clean = await r.score(pairs);
    s.inject('/v1/completions', { status: 429, retryAfterS: 0.01 }, { status: 500 }, { hang: true }, { drop: true });
    const before = r.client.retriesMade;
    const retried = await r.score(pairs);
    expect(r.client.retriesMade - before).toBe(4);
    expect(retried.map((x) => Array.from(x.logprobs))).toEqual(clean.map((x) => Array.from(x.logprobs)));
  }, 20_000);

  it('gives up after its retries with the last failure and the number of tries; a 400 is not retried', async () => {
    const s = await serve();
    const r = await connect(s, { retries: 2 });
    s.inject('/v1/completions', { status: 503 }, { status: 503 }, { status: 503 });
    const err = await rejection(r.score(pairs.slice(0, 1)));
    expect(err.code).toBe('HTTP');
    expect(err.message).toMatch(/answered 503.*\(3 tries\)/);
    s.inject('/v1/completions', { status: 400 });
    const before = r.client.retriesMade;
    expect((await rejection(r.score(pairs.slice(0, 1)))).status).toBe(400);
    expect(r.client.retriesMade).toBe(before);
  });

  it('a timeout is named as one', async () => {
    const s = await serve();
    const r = await connect(s, { retries: 0, timeoutMs: 200 });
    s.inject('/v1/completions', { hang: true });
    const err = await rejection(r.score(pairs.slice(0, 1)));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('no answer within');
  });

  it('a request cancelled while it waits for a slot hands that slot on (the ones behind it still run)', async () => {
    const s = await serve({ latencyMs: 50 });
    const r = await connect(s, { maxInFlight: 1 });
    const ac = new AbortController();
    const first = r.score(pairs.slice(0, 1));
    const cancelled = r.score(pairs.slice(1, 2), { signal: ac.signal });
    const behind = r.score(pairs.slice(2, 3));
    ac.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect((await first)[0].logprobs.length).toBe(2);
    expect((await behind)[0].logprobs.length).toBe(2);
  });

  it('an abort stops the requests in flight', async () => {
    const s = await serve();
    const r = await connect(s, { timeoutMs: 60_000 });
    s.inject('/v1/completions', { hang: true });
    const ac = new AbortController();
    const p = r.score(pairs.slice(0, 1), { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('connecting: what is checked and how failures read', () => {
  it('a server without prompt log-probabilities is refused, naming what is needed', async () => {
    const err = await rejection(connect(await serve({ noPromptLogprobs: true })));
    expect(err.code).toBe('NO_PROMPT_LOGPROBS');
    expect(err.message).toContain('prompt_logprobs');
  });

  it('a tokenizer that disagrees with the server\'s is refused, through /tokenize or, without it, the decoded tokens', async () => {
    const { tokenizer: other } = await loadNodeTokenizer(TINY_GPT2_DIR);
    for (const noTokenize of [false, true]) {
      const err = await rejection(connect(await serve({ serverTokenizer: other, noTokenize })));
      expect(err.code).toBe('TOKENIZER_MISMATCH');
      expect(err.message).toContain('déjà vu');
    }
    expect((await connect(await serve())).info.tokenizerCheck).toBe('tokenize endpoint');
    expect((await connect(await serve({ noTokenize: true }))).info.tokenizerCheck).toBe('decoded tokens');
  });

  it('names the models a server serves when the one asked for is not among them', async () => {
    const s = await serve();
    const err = await rejection(connectRemoteModel({ url: s.url, model: 'Qwen/Qwen2.5-7B', tokenizer: m.tokenizer }));
    expect(err.code).toBe('MODEL_NOT_SERVED');
    expect(err.message).toContain(`"${MODEL}"`);
  });

  it('sends the API key, and a refused key says so', async () => {
    const s = await serve({ apiKey: 'sekrit' });
    expect((await connect(s, { apiKey: 'sekrit' })).info.model).toBe(MODEL);
    const err = await rejection(connect(s, { apiKey: 'wrong' }));
    expect(err.code).toBe('AUTH');
    expect(err.remedy).toContain('--api-key');
  });

  it('an address where nothing listens is unreachable, after its retries', async () => {
    const s = await serve();
    const url = s.url;
    await s.stop();
    const err = await rejection(connectRemoteModel({ url, model: MODEL, tokenizer: m.tokenizer, retries: 1, backoffMs: 1 }));
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toContain('(2 tries)'); // at connect: one retry
  });

  it('accepts the server with or without /v1 and a trailing slash; refuses what is not an http URL', () => {
    expect(serverBase('http://gpu:8000/v1/')).toBe('http://gpu:8000');
    expect(serverBase('https://x.org/vllm/v1')).toBe('https://x.org/vllm');
    expect(() => serverBase('gpu:8000')).toThrow(/not an http/);
    expect(() => serverBase('nonsense')).toThrow(/not a URL/);
  });
});
