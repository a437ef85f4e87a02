/**
 * The engine on every export replica (tools/modelgen/replicas.ts): each reproduces the graph style
 * of real hub exports (fused GroupQueryAttention that assumes right padding, float16 caches and
 * logits, BOS from the tokenizer, a merged decoder with use_cache_branch, chunked external data).
 * The oracle is each replica's twin: the same weights in plain operators, run row by row on
 * token ids assembled here, never through the engine's padding or prefix logic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICAS, type ReplicaSpec } from '../../tools/modelgen/replicas.ts';
import type { ScorePair } from './engine.ts';
import type { LoadedModel } from './loadModel.ts';
import { loadNodeModel } from './node/nodeModel.ts';
import { REPLICAS_DIR } from '../test/testModels.ts';
import type { Dtype } from './modelSource.ts';
import path from 'node:path';

const cases = REPLICAS.flatMap((spec) => spec.files.map((format) => ({ label: `${spec.name} ${format}`, spec, format: format as Dtype })));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** log p(continuation | context) from one unpadded row through the twin's raw decoder. */
async function oracleScore(twin: LoadedModel, ids: readonly number[], contLength: number): Promise<Float32Array> {
  const d = twin.engine.decoder;
  const n = ids.length - 1;
  const res = await d.forward({
    batch: 1,
    ids: BigInt64Array.from(ids.slice(0, n), BigInt),
    seq: n,
    mask: new BigInt64Array(n).fill(1n),
    positions: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
    past: null,
    keep: n,
  });
  const V = res.logits.length / res.n;
  const out = new Float32Array(contLength);
  for (let j = 0; j < contLength; j++) {
    const pos = n - contLength + j;
    const row = res.logits.subarray((res.n - n + pos) * V, (res.n - n + pos + 1) * V);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    out[j] = row[ids[pos + 1]] - max - Math.log(sum);
  }
  return out;
}

/** Whether the engine expands a format's MatMulNBits on WASM: wherever the graph computes in float32 (plain-style q4f16 keeps float32 inside). */
const expandsNBits = (spec: ReplicaSpec, format: Dtype) => format === 'q4' || (format === 'q4f16' && spec.q4f16Io === 'float32');

/** fp32 and q4 replicas match their twin to 1e-4; q4f16 computes in float16, so it is looser. */
const twinTolerance = (format: Dtype) => (format === 'q4f16' ? 0.1 : 1e-4);

describe.each(cases)('replica $label', ({ spec, format }) => {
  let model: LoadedModel;
  let chunked: LoadedModel;
  let twin: LoadedModel;
  let solo: LoadedModel;
  let whole: LoadedModel;
  let rowsWhole: LoadedModel;
  let columns: LoadedModel;
  let chunkedReuse: LoadedModel;
  let pairs: ScorePair[];
  const dir = () => path.join(REPLICAS_DIR, spec.name);
  beforeAll(async () => {
    model = await loadNodeModel(dir(), { dtype: format });
    // Room for the logits of about three positions per pass: forces single rows in chunks.
    // The export left as it is (logits at every position), once whole and once in chunks.
    whole = await loadNodeModel(dir(), { dtype: format, restrictLogits: false });
    chunked = await loadNodeModel(dir(), { dtype: format, restrictLogits: false, limits: { maxLogitsBytes: 3 * model.info.shape.vocabSize * 4 } });
    // One row per pass: each context generated alone, from the same random stream as in the batch.
    solo = await loadNodeModel(dir(), { dtype: format, limits: { maxBatchRows: 1 } });
    // The twin keeps its 4-bit weights as MatMulNBits: onnxruntime's own kernel, not the engine's expansion.
    twin = await loadNodeModel(`${dir()}-twin`, { dtype: format === 'fp32' ? 'fp32' : 'q4', expandWeights: false });
    // Prefix reuse off, one position per pass, and batched over an unedited graph fed in chunks.
    rowsWhole = await loadNodeModel(dir(), { dtype: format, prefixReuse: 'off' });
    columns = await loadNodeModel(dir(), { dtype: format, prefixReuse: 'columns' });
    if (spec.style !== 'fused-gqa') chunkedReuse = await loadNodeModel(dir(), { dtype: format, restrictLogits: false, prefixReuse: 'batched', limits: { maxLogitsBytes: 3 * model.info.shape.vocabSize * 4 } });
    const enc = (s: string) => model.tokenizer.encode(s);
    pairs = [
      { context: enc('Given the input numbers 8 and 0, the answer is'), continuation: enc(' 8.') },
      { context: enc('Data:'), continuation: enc(' the answer is 12 and the rule') },
      { context: enc('x'), continuation: enc(' y') },
      { context: enc('Prompt: add the two numbers. Given the input numbers 3 and 4, the answer is'), continuation: enc(' 7') },
      { context: enc('the first letter of each word'), continuation: enc(' is t') },
    ];
  });
  afterAll(async () => {
    await model?.dispose();
    await chunked?.dispose();
    await twin?.dispose();
    await solo?.dispose();
    await whole?.dispose();
    await rowsWhole?.dispose();
    await columns?.dispose();
    await chunkedReuse?.dispose();
  });

  it('is read as the style it replicates', () => {
    expect(model.info.dtype).toBe(format);
    expect(model.info.graph.attention).toBe(spec.style === 'fused-gqa' ? 'right-padded' : 'masked');
    expect(model.info.graph.kvType).toBe(format === 'q4f16' && spec.q4f16Io !== 'float32' ? 'float16' : 'float32');
    // No export of this style has num_logits_to_keep: the engine added a rows input before the vocabulary projection.
    expect(model.info.graph.numLogitsToKeep).toBe(false);
    expect(whole.info.logits).toEqual({ restricted: 'no', reason: 'switched off' });
    expect(model.info.logits).toEqual({ restricted: 'added', projection: expect.stringMatching(spec.style === 'merged' ? /^If > MatMul/ : /^MatMul(NBits)? lm_head/) });
    expect(model.info.graph.useCacheBranch).toBe(spec.style === 'merged');
    // 4-bit weights: float32 at load on WASM, except where the graph computes in float16 (float16 scales).
    if (format === 'fp32') expect(model.info.nbits).toBeNull();
    else if (expandsNBits(spec, format)) expect(model.info.nbits).toEqual({ expanded: true, nodes: expect.any(Number), floatBytes: expect.any(Number), kept: [] });
    else expect(model.info.nbits).toEqual({ expanded: false, reason: expect.stringMatching(/float16/) });
    expect(twin.info.nbits).toEqual(format === 'fp32' ? null : { expanded: false, reason: 'switched off' });
    if (spec.externalChunkBytes && format === 'fp32') {
      const data = spec.externalDataName === 'builder' ? ['onnx/model.onnx.data'] : ['onnx/model.onnx_data', 'onnx/model.onnx_data_1'];
      expect(model.info.files).toEqual(expect.arrayContaining(data));
    }
  });

  it('starts every context with BOS exactly where the tokenizer adds one', () => {
    const bos = spec.bosToken ? model.tokenizer.tokenToId(spec.bosToken) : undefined;
    expect(model.info.contextPrefix).toEqual(bos === undefined ? [] : [bos]);
    const ids = model.tokenizer.encode('Data:');
    expect(model.engine.withPrefix(ids)).toEqual(bos === undefined ? ids : [bos, ...ids]);
    // Never twice: a context that already starts with it is left alone.
    if (bos !== undefined) expect(model.engine.withPrefix([bos, ...ids])).toEqual([bos, ...ids]);
  });

  it('scores a batch of different lengths like each row alone, in chunks, and like the oracle twin', async () => {
    const batched = await model.engine.score(pairs);
    const inChunks = await chunked.engine.score(pairs);
    const prefix = model.info.contextPrefix;
    for (let i = 0; i < pairs.length; i++) {
      const [alone] = await model.engine.score([pairs[i]]);
      expect(maxAbsDiff(batched[i].logprobs, alone.logprobs)).toBeLessThanOrEqual(1e-4);
      expect(batched[i].isArgmax).toEqual(alone.isArgmax);
      expect(maxAbsDiff(inChunks[i].logprobs, alone.logprobs)).toBeLessThanOrEqual(format === 'q4f16' ? 2e-2 : 1e-4);
      const oracle = await oracleScore(twin, [...prefix, ...pairs[i].context, ...pairs[i].continuation], pairs[i].continuation.length);
      expect(maxAbsDiff(batched[i].logprobs, oracle)).toBeLessThanOrEqual(twinTolerance(format));
    }
  });

  it('scores rows that share a prefix over its cached keys and values as it scores them whole, and like the oracle twin', async () => {
    // An iPrompt step in miniature: three prompts, each on the same four examples, the first
    // continuation token restricted as mask_possible_answers does.
    const enc = (s: string) => model.tokenizer.encode(s);
    const examples = [
      ['. Given the input numbers 3 and 4, the answer is', ' 7'],
      ['. Given the input numbers 8 and 0, the answer is', ' 8.'],
      ['. Given the input numbers 5 and 9, the answer is', ' 14 and'],
      ['. Given the input numbers 1 and 1, the answer', ' is 2'],
    ];
    const step: ScorePair[] = [];
    for (const prompt of ['Add the two numbers', 'Return the sum of', 'Add the']) for (const [input, output] of examples) step.push({ context: enc(prompt + input), continuation: enc(output) });
    const choices = [...new Set(step.map((p) => p.continuation[0]))];
    const fedBy = async (m: LoadedModel, run: () => Promise<unknown>) => {
      const d = m.engine.decoder;
      const forward = d.forward.bind(d);
      let fed = 0;
      d.forward = async (input) => {
        fed += input.batch * input.seq;
        return forward(input);
      };
      try {
        await run();
      } finally {
        d.forward = forward;
      }
      return fed;
    };
    const rowTokens = step.reduce((t, p) => t + model.info.contextPrefix.length + p.context.length + p.continuation.length - 1, 0);
    let reference: Awaited<ReturnType<LoadedModel['engine']['score']>> = [];
    const fedWhole = await fedBy(rowsWhole, async () => (reference = await rowsWhole.engine.score(step, {}, { firstTokenChoices: choices })));
    expect(rowsWhole.info.prefixReuse).toBe('off');
    expect(fedWhole).toBeGreaterThanOrEqual(rowTokens);
    const reusing = [model, columns, ...(model.info.prefixReuse === 'batched' ? [chunkedReuse] : [])];
    // GroupQueryAttention reuses position by position, by default only without 4-bit kernels on WASM (each pass would dequantise them).
    expect(model.info.prefixReuse).toBe(spec.style !== 'fused-gqa' ? 'batched' : format === 'fp32' || expandsNBits(spec, format) ? 'columns' : 'off');
    for (const m of reusing.filter((r) => r.info.prefixReuse !== 'off')) {
      let reused: typeof reference = [];
      const fed = await fedBy(m, async () => (reused = await m.engine.score(step, {}, { firstTokenChoices: choices })));
      // Each prompt's prefix (and the template words up to the digits) ran once, not four times.
      expect(fed, m.info.prefixReuse).toBeLessThan(rowTokens * 0.8);
      step.forEach((_, i) => {
        expect(maxAbsDiff(reused[i].logprobs, reference[i].logprobs), `${m.info.prefixReuse} row ${i}`).toBeLessThanOrEqual(format === 'q4f16' ? 2e-2 : 1e-4);
        expect(reused[i].isArgmax).toEqual(reference[i].isArgmax);
      });
    }
    // And the unrestricted scores against the twin, row by row.
    const unrestricted = await columns.engine.score(step);
    for (let i = 0; i < step.length; i++) {
      const oracle = await oracleScore(twin, [...model.info.contextPrefix, ...step[i].context, ...step[i].continuation], step[i].continuation.length);
      expect(maxAbsDiff(unrestricted[i].logprobs, oracle)).toBeLessThanOrEqual(twinTolerance(format));
    }
  });

  it('refuses batched prefix reuse on GroupQueryAttention, naming the file, before loading it', async () => {
    const load = loadNodeModel(dir(), { dtype: format, prefixReuse: 'batched' });
    if (spec.style === 'fused-gqa') await expect(load).rejects.toThrow(/prefixReuse 'batched' needs attention that reads the mask; onnx\/model/);
    else await (await load).dispose();
  });

  it('computes logits only at the positions it reads, with the scores and tokens of the export left as it is', async () => {
    const rowsPerPass = async (m: LoadedModel, run: () => Promise<unknown>) => {
      const d = m.engine.decoder;
      const forward = d.forward.bind(d);
      // Per pass: positions fed, and rows of logits computed.
      const seen: { fed: number; rows: number }[] = [];
      d.forward = async (input) => {
        const out = await forward(input);
        seen.push({ fed: input.batch * input.seq, rows: out.logits.length / m.info.shape.vocabSize });
        return out;
      };
      try {
        await run();
      } finally {
        d.forward = forward;
      }
      return seen;
    };
    let restricted: Awaited<ReturnType<LoadedModel['engine']['score']>> = [];
    let everywhere: typeof restricted = [];
    const cut = await rowsPerPass(model, async () => (restricted = await model.engine.score(pairs)));
    const all = await rowsPerPass(whole, async () => (everywhere = await whole.engine.score(pairs)));
    // The export computes a row of logits per position fed; the edited graph one per continuation token scored.
    expect(all.every((p) => p.rows === p.fed)).toBe(true);
    expect(cut.reduce((t, p) => t + p.rows, 0)).toBe(pairs.reduce((t, p) => t + p.continuation.length, 0));
    pairs.forEach((_, i) => {
      expect(maxAbsDiff(restricted[i].logprobs, everywhere[i].logprobs)).toBeLessThanOrEqual(1e-4);
      expect(restricted[i].isArgmax).toEqual(everywhere[i].isArgmax);
    });
    const opts = { max_new_tokens: 6, seed: 7, temperature: 4, top_k: 0, top_p: 1 };
    const contexts = pairs.map((p) => p.context);
    expect(await model.engine.generate(contexts, opts)).toEqual(await whole.engine.generate(contexts, opts));
  });

  it('generates the same tokens for a batch of different-length contexts as for each alone, greedy and seeded', async () => {
    const contexts = pairs.map((p) => p.context);
    for (const opts of [
      { max_new_tokens: 6, seed: 1, do_sample: false },
      // A high temperature: a tiny tied-embedding model's argmax hardly depends on attention, so
      // greedy tokens alone would miss a row that attends to the wrong positions.
      { max_new_tokens: 6, seed: 7, temperature: 4, top_k: 0, top_p: 1 },
    ]) {
      const batch = await model.engine.generate(contexts, opts);
      expect(await solo.engine.generate(contexts, opts)).toEqual(batch);
      expect(await model.engine.generate(contexts, { ...opts, use_cache: false })).toEqual(batch);
      expect(batch.every((r) => r.length === 6)).toBe(true);
    }
  });

  it('generates greedily what the twin scores as argmax at every step', async () => {
    if (format === 'q4f16') return; // float16 ties can flip an argmax between precisions
    const contexts = pairs.map((p) => p.context);
    const greedy = await model.engine.generate(contexts, { max_new_tokens: 5, seed: 0, do_sample: false });
    const prefix = model.info.contextPrefix;
    for (let i = 0; i < contexts.length; i++) {
      const lp = await oracleScore(twin, [...prefix, ...contexts[i], ...greedy[i]], greedy[i].length);
      // Each greedy token is the twin's most likely one: its log-probability is the row maximum,
      // which a batch that mixed up rows or positions would not give.
      const [scored] = await twin.engine.score([{ context: [...prefix, ...contexts[i]], continuation: greedy[i] }]);
      expect(scored.isArgmax.every(Boolean)).toBe(true);
      expect(maxAbsDiff(scored.logprobs, lp)).toBeLessThanOrEqual(1e-4);
    }
  });
});

describe('the merged decoder', () => {
  it('is fed use_cache_branch = whether a past is given: the other value changes the tokens', async () => {
    const spec = REPLICAS.find((r) => r.style === 'merged') as ReplicaSpec;
    const model = await loadNodeModel(path.join(REPLICAS_DIR, spec.name), { dtype: 'fp32' });
    const contexts = [model.tokenizer.encode('Given the input numbers 1 and 2,'), model.tokenizer.encode('Data:')];
    const opts = { max_new_tokens: 6, seed: 0, do_sample: false };
    const right = await model.engine.generate(contexts, opts);
    // Feed the no-cache branch on every pass: the cached steps then ignore their past.
    const session = model.engine.decoder.session as unknown as { run: (feeds: Record<string, unknown>) => Promise<unknown> };
    const run = session.run.bind(session);
    const seen: number[] = [];
    session.run = (feeds) => {
      const flag = feeds.use_cache_branch as { data: Uint8Array };
      seen.push(flag.data[0]);
      return run({ ...feeds, use_cache_branch: new (flag.constructor as new (t: string, d: Uint8Array, dims: number[]) => unknown)('bool', Uint8Array.of(0), [1]) });
    };
    // The no-cache branch with a past either fails (its mask no longer matches) or gives other tokens.
    const wrong = await model.engine.generate(contexts, opts).catch((err: Error) => err.message);
    expect(wrong).not.toEqual(right);
    // The engine asked for the no-cache branch on the first pass, the cache branch after it.
    expect(seen.slice(0, 2)).toEqual([0, 1]);
    await model.dispose();
  });
});
