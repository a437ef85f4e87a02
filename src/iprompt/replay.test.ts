/**
 * The search checked against a brute force that replays its stream: from the step events alone
 * (every candidate with its loss and accuracy) the test rebuilds the pool the plain way (lists of
 * scores, arrival order, origins), and from that derives what each step's population may be, the
 * final ranking (held-out scores recomputed from the fake model's likelihood), the no-ranking
 * order and the early-stopping counter. The search's own pool and ranking code is not used.
 */
import { describe, expect, it } from 'vitest';
import type { ScoreRequest } from './languageModel.ts';
import type { IPromptOptionsInput } from './options.ts';
import { startSearch, type ExplainResult, type SearchEvent, type StepEvent } from './search.ts';
import { FakeModel, fakeWords, scoreByRules } from './testing/fakeModel.ts';

const T = 6;
const inputs = Array.from({ length: 40 }, (_, i) => `Given x${i} the answer is`);
const outputs = Array.from({ length: 40 }, (_, i) => ` y${i}${' z'.repeat(i % 3)}`);
const base: IPromptOptionsInput = { batch_size: 8, n_epochs: 3, pop_size: 4, num_random_generations: 2, num_mutations: 2, seed: 11, num_learned_tokens: T };

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
type PerToken = (r: ScoreRequest, j: number) => { logprob: number; argmax: boolean };
/** Varies by prompt (its first T ids), row and position; different prompts can tie. */
const varying: PerToken = (r, j) => {
  const h = (sum(r.context.slice(0, T)) * 31 + sum(r.context.slice(T)) * 7 + j * 13) % 23;
  return { logprob: -(0.05 + h / 10), argmax: j === 0 || h % 4 !== 0 };
};
/** Every prompt scores the same on every row: only the tie-breaks order them. */
const flat: PerToken = (_r, j) => ({ logprob: -1 - j / 8, argmax: true });

interface Entry {
  key: string;
  ids: number[];
  text: string;
  losses: number[];
  accs: number[];
  order: number;
  firstStep: number;
  origin: { kind: string; parent?: string; truncateAt?: number };
}
const key = (ids: readonly number[]) => ids.join(',');
const mean = (xs: readonly number[]) => sum(xs) / xs.length;
const meanLoss = (e: Entry) => (e.losses.length ? mean(e.losses) : 10000);
const meanAcc = (e: Entry) => (e.accs.length ? mean(e.accs) : 0);
const byLoss = (a: Entry, b: Entry) => meanLoss(a) - meanLoss(b) || a.order - b.order;

async function run(opts: IPromptOptionsInput, perToken: PerToken) {
  const m = new FakeModel({ words: fakeWords(30), target: 'w0', perToken });
  const events: SearchEvent[] = [];
  const result: ExplainResult = await startSearch(m, inputs, outputs, { ...base, ...opts }, { onEvent: (e) => events.push(e) }).result;
  const steps = events.filter((e): e is StepEvent => e.type === 'step');
  return { m, events, steps, result };
}

/** The pool after each step, rebuilt from the initial proposals and the step events. */
async function replay(m: FakeModel, steps: StepEvent[], P: number) {
  const pool = new Map<string, Entry>();
  const add = (ids: number[], step: number, origin: Entry['origin']) => {
    const k = key(ids);
    if (!pool.has(k)) pool.set(k, { key: k, ids, text: m.decode(ids), losses: [], accs: [], order: pool.size, firstStep: step, origin });
    return pool.get(k)!;
  };
  // The first generate call proposes the initial population (the fake model's sampling is
  // repeatable, so it is asked again); with 30 words one round gives P distinct prompts.
  const first = m.generateCalls[0];
  for (const ids of await m.generate(first.contexts, first.opts)) add(ids, 0, { kind: 'initial' });
  expect(pool.size).toBe(P);
  const before: Entry[][] = [];
  for (const s of steps) {
    before.push([...pool.values()].map((e) => ({ ...e, losses: [...e.losses], accs: [...e.accs] })));
    for (const c of s.candidates) {
      const origin = c.kind === 'mutation' ? { kind: 'mutation', parent: key(c.parentIds!), truncateAt: c.truncateAt } : { kind: 'proposal' };
      const e = add(c.ids, s.step, origin);
      e.losses.push(c.loss);
      e.accs.push(c.accuracy);
    }
  }
  return { pool, before };
}

/** Held-out score of a prompt (token ids; [] for the empty prompt) by the rules, from perToken. */
function heldOutScore(m: FakeModel, perToken: PerToken, ids: readonly number[], examples: { input: string; output: string }[]) {
  return scoreByRules(examples.map((ex) => ({ context: [...ids, ...m.encode(`. ${ex.input}`)], continuation: m.encode(ex.output) })), perToken);
}

/** The held-out examples, read back from the baseline call (the first score call after the steps: `. input`, the empty prompt). */
function heldOutExamples(m: FakeModel, steps: StepEvent[]) {
  return m.scoreCalls[steps.length].map((r) => {
    const context = m.decode(r.context);
    expect(context.startsWith('. ')).toBe(true);
    return { input: context.slice(2), output: m.decode(r.continuation) };
  });
}

function expectedRanking(m: FakeModel, perToken: PerToken, pool: Map<string, Entry>, steps: StepEvent[], topK: number, minBatches: number) {
  const scored = [...pool.values()].filter((e) => e.losses.length > 0);
  let cands = scored.filter((e) => e.losses.length >= minBatches).sort(byLoss);
  if (cands.length === 0) cands = scored.sort(byLoss);
  cands = cands.slice(0, topK);
  const examples = heldOutExamples(m, steps);
  return cands
    .map((e, i) => ({ e, i, ...heldOutScore(m, perToken, e.ids, examples) }))
    .sort((a, b) => b.accuracy - a.accuracy || a.loss - b.loss || a.i - b.i);
}

function expectSameRanking(result: ExplainResult, expected: ReturnType<typeof expectedRanking>) {
  const ranked = result.metadata.ranked;
  expect(ranked.map((r) => r.text)).toEqual(expected.map((x) => x.e.text));
  ranked.forEach((r, i) => {
    const x = expected[i];
    expect(r.loss).toBeCloseTo(x.loss, 10);
    expect(r.accuracy).toBe(x.accuracy);
    expect(r.timesScored).toBe(x.e.losses.length);
    expect(r.trainLoss).toBeCloseTo(meanLoss(x.e), 10);
    expect(r.trainAccuracy).toBeCloseTo(meanAcc(x.e), 10);
    expect(r.firstStep).toBe(x.e.firstStep);
    expect(r.origin).toEqual(x.e.origin);
  });
}

describe('the search against a replay of its own events', () => {
  it('the final ranking is the top final_rerank_top_k by mean loss (scored on enough batches), re-scored held out, by accuracy then loss', async () => {
    const opts = { final_rerank_top_k: 7, final_rerank_min_batches: 2 };
    const { m, steps, result, events } = await run(opts, varying);
    const { pool } = await replay(m, steps, 4);
    const expected = expectedRanking(m, varying, pool, steps, 7, 2);
    expect(expected).toHaveLength(7);
    // The held-out order differs from the training order, so the re-sort is what is checked.
    expect(expected.map((x) => x.i)).not.toEqual([0, 1, 2, 3, 4, 5, 6]);
    expectSameRanking(result, expected);
    expect(result.metadata.ranking).toBe('held_out');
    // Ten held-out examples: one group of up to 204 prompts, so progress is 0 then 7 of 7.
    expect(events.filter((e) => e.type === 'ranking' && e.phase === 'rerank')).toEqual([
      { type: 'ranking', phase: 'rerank', done: 0, total: 7 },
      { type: 'ranking', phase: 'rerank', done: 7, total: 7 },
    ]);
    // No model call is ever empty.
    for (const call of m.scoreCalls) expect(call.length).toBeGreaterThan(0);
    for (const call of m.generateCalls) expect(call.contexts.length).toBeGreaterThan(0);
  });

  it('the ranking goes in groups of floor(2048 / examples) prompts, with progress after each and no empty call', async () => {
    // No held-out split: the first 32 rows are the ranking set, so groups of 64 prompts.
    const go = async (topK: number) => {
      const { m, events } = await run({ held_out_fraction: 0, n_eval: 32, final_rerank_top_k: topK, final_rerank_min_batches: 1 }, varying);
      for (const call of m.scoreCalls) expect(call.length).toBeGreaterThan(0);
      return events.flatMap((e) => (e.type === 'ranking' && e.phase === 'rerank' ? [[e.done, e.total]] : []));
    };
    expect(await go(64)).toEqual([[0, 64], [64, 64]]);
    expect(await go(100)).toEqual([[0, 100], [64, 100], [100, 100]]);
  });

  it('the no-prompt baseline is the held-out score of the empty prompt (`. input`)', async () => {
    const { m, steps, result } = await run({}, varying);
    const examples = heldOutExamples(m, steps);
    const want = heldOutScore(m, varying, [], examples);
    expect(result.metadata.baseline!.loss).toBeCloseTo(want.loss, 10);
    expect(result.metadata.baseline!.accuracy).toBe(want.accuracy);
    expect(new Set(examples.map((e) => e.input)).size).toBe(10);
  });

  it('when no prompt was scored on final_rerank_min_batches batches, the best scored ones are ranked anyway', async () => {
    const { m, steps, result } = await run({ final_rerank_top_k: 5, final_rerank_min_batches: 1000 }, varying);
    const { pool } = await replay(m, steps, 4);
    expectSameRanking(result, expectedRanking(m, varying, pool, steps, 5, 1000));
  });

  it('when every prompt scores the same, arrival order breaks the ties, in the pool and in the ranking', async () => {
    const { m, steps, result } = await run({ final_rerank_top_k: 6, final_rerank_min_batches: 1 }, flat);
    const { pool } = await replay(m, steps, 4);
    const expected = expectedRanking(m, flat, pool, steps, 6, 1);
    expect(expected.map((x) => x.i)).toEqual([0, 1, 2, 3, 4, 5]);
    expectSameRanking(result, expected);
    const last = steps.at(-1)!;
    const byArrival = [...pool.values()].filter((e) => e.losses.length > 0).sort(byLoss);
    expect(last.top.map((t) => t.text)).toEqual(byArrival.slice(0, 10).map((e) => e.text));
  });

  it('without the final ranking every scored prompt (and no unscored one) is ranked by mean accuracy, then loss, then arrival', async () => {
    const { m, steps, result } = await run({ do_final_reranking: false }, varying);
    const { pool } = await replay(m, steps, 4);
    expect([...pool.values()].some((e) => e.losses.length === 0)).toBe(true);
    const expected = [...pool.values()].filter((e) => e.losses.length > 0).sort((a, b) => meanAcc(b) - meanAcc(a) || byLoss(a, b));
    expect(result.metadata.ranked.map((r) => r.text)).toEqual(expected.map((e) => e.text));
    result.metadata.ranked.forEach((r, i) => {
      expect(r.loss).toBeCloseTo(meanLoss(expected[i]), 10);
      expect(r.accuracy).toBeCloseTo(meanAcc(expected[i]), 10);
      expect(r.origin).toEqual(expected[i].origin);
    });
  });

  it.each(['all', 'different_start_token'] as const)("each step's population is drawn from the pool's top P + 4 (%s)", async (strategy) => {
    const { m, steps } = await run({ pop_topk_strategy: strategy, n_epochs: 4 }, varying);
    const { before } = await replay(m, steps, 4);
    let narrowed = 0;
    steps.forEach((s, i) => {
      const entries = before[i];
      let top: Entry[];
      if (strategy === 'all') top = [...entries].sort(byLoss).slice(0, 8);
      else {
        const best = new Map<number, Entry>();
        for (const e of entries) if (!best.has(e.ids[0]) || byLoss(e, best.get(e.ids[0])!) < 0) best.set(e.ids[0], e);
        top = [...best.values()].sort(byLoss).slice(0, 8);
      }
      const allowed = new Set(top.map((e) => e.key));
      const population = s.candidates.filter((c) => c.kind === 'population');
      expect(population).toHaveLength(4);
      for (const c of population) expect(allowed.has(key(c.ids)), `step ${s.step}: ${c.text}`).toBe(true);
      if (entries.length > allowed.size) narrowed++;
    });
    expect(narrowed).toBeGreaterThan(5);
  });

  it('early stopping counts steps whose top five (scored on more than 3 batches, plain top-k) is the same set as before', async () => {
    const { m, steps, result } = await run({ pop_topk_strategy: 'all', early_stopping_steps: 4, n_epochs: 60, num_random_generations: 0, num_mutations: 1 }, varying);
    const { pool: _final, before } = await replay(m, steps, 4);
    // The pool after step i is the pool before step i + 1; the last step's is rebuilt here.
    const after = (i: number) => (i + 1 < steps.length ? before[i + 1] : [..._final.values()]);
    let last: string | null = null;
    let unchanged = 0;
    let resets = 0;
    steps.forEach((s, i) => {
      const top5 = after(i).filter((e) => e.losses.length > 3).sort(byLoss).slice(0, 5).map((e) => e.key);
      const set = [...top5].sort().join('|');
      if (top5.length === 5 && set === last) unchanged++;
      else {
        if (unchanged > 0) resets++;
        unchanged = 0;
        last = set;
      }
      expect(s.unchangedSteps, `step ${s.step}`).toBe(unchanged);
    });
    expect(result.metadata.stopped_by).toBe('early_stopping');
    expect(steps.at(-1)!.unchangedSteps).toBe(4);
    expect(resets).toBeGreaterThan(0);
  });

  it('mutations sample their tail after a data context followed by the kept part of the parent', async () => {
    const { m, steps } = await run({ n_epochs: 1 }, varying);
    // Each step samples P = 4 (initial, step 1 only), R = 2 (fresh) and (P + R) * M = 12 (mutation) contexts.
    const mutationCalls = m.generateCalls.filter((c) => c.contexts.length === 12);
    expect(mutationCalls.length).toBe(steps.length);
    steps.forEach((s, i) => {
      const call = mutationCalls[i];
      const mutations = s.candidates.filter((c) => c.kind === 'mutation');
      expect(call.opts.max_new_tokens).toBe(T - s.truncateAt);
      expect(call.contexts).toHaveLength(mutations.length);
      mutations.forEach((c, j) => {
        const ctx = call.contexts[j];
        const kept = c.parentIds!.slice(0, s.truncateAt);
        expect(ctx.slice(ctx.length - kept.length)).toEqual(kept);
        expect(m.decode(ctx.slice(0, ctx.length - kept.length))).toMatch(/^Data:\n\nGiven x\d+ the answer is y\d+( z)*\.\n\nPrompt:$/);
      });
    });
  });
});
