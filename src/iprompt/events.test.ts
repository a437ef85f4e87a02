import { describe, expect, it } from 'vitest';
import { keyOf } from './pool.ts';
import { startSearch, type SearchEvent, type StepEvent } from './search.ts';
import { FakeModel, fakeWords } from './testing/fakeModel.ts';
import type { IPromptOptionsInput } from './options.ts';

// 40 examples, a quarter held out: 30 training rows; batches of 8 give 4 steps an epoch (8, 8, 8,
// then 6 examples); two epochs plan 8 steps. (P + R) * (1 + M) = (4 + 2) * 3 = 18 candidates.
const inputs = Array.from({ length: 40 }, (_, i) => `Given x${i} the answer is`);
const outputs = Array.from({ length: 40 }, (_, i) => ` y${i}`);
const options: IPromptOptionsInput = { batch_size: 8, n_epochs: 2, pop_size: 4, num_random_generations: 2, num_mutations: 2, seed: 11 };

async function run(opts: IPromptOptionsInput = {}) {
  const m = new FakeModel({ words: [...fakeWords(30), 'sum', 'plus'], target: 'sum', helper: 'plus' });
  const events: SearchEvent[] = [];
  const result = await startSearch(m, inputs, outputs, { ...options, ...opts }, { onEvent: (e) => events.push(e) }).result;
  return { m, events, result, steps: events.filter((e): e is StepEvent => e.type === 'step') };
}

const tokensOf = (requests: readonly { context: readonly number[]; continuation: readonly number[] }[]) => requests.reduce((s, r) => s + r.context.length + r.continuation.length, 0);

describe('the events a search streams', () => {
  it('starts with the sizes worked out by hand', async () => {
    const { events } = await run();
    expect(events[0]).toMatchObject({ type: 'start', sizes: { examples: 40, trainExamples: 30, heldOutExamples: 10, rows: 30, batchesPerEpoch: 4, plannedSteps: 8, candidatesPerStep: 18 } });
  });

  it('each step says its epoch, examples seen, the plan, and counts the tokens the model reported', async () => {
    const { steps, m } = await run();
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps.map((s) => s.epoch)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(steps.map((s) => s.examplesSeen)).toEqual([8, 16, 24, 30, 38, 46, 54, 60]);
    expect(steps.every((s) => s.plannedSteps === 8 && s.unchangedSteps === 0)).toBe(true);
    // One score call per step (the final ranking and baseline come after the last step).
    let total = 0;
    steps.forEach((s, i) => {
      total += tokensOf(m.scoreCalls[i]);
      expect(s.tokens).toBe(total);
      expect(s.tokensPerSecond).toBeGreaterThanOrEqual(0);
    });
    expect(steps[0].tokens).toBeGreaterThan(0);
  });

  it("each step's candidates are the 18 scored, mutations cut at the step's truncateAt; the pool size counts distinct prompts", async () => {
    const { steps, m } = await run();
    // The pool also holds the initial proposals the first population left out, unscored: the
    // first generate call's first P distinct prompts (the fake model's sampling is repeatable).
    const first = m.generateCalls[0];
    const initial = new Set((await m.generate(first.contexts, first.opts)).map(keyOf));
    expect(initial.size).toBe(4);
    const seen = new Set<string>(initial);
    for (const s of steps) {
      expect(s.candidates).toHaveLength(18);
      expect(s.candidates.map((c) => c.kind)).toEqual([...Array(4).fill('population'), ...Array(2).fill('proposal'), ...Array(12).fill('mutation')]);
      for (const c of s.candidates) {
        expect(c).not.toHaveProperty('origin');
        seen.add(keyOf(c.ids));
        if (c.kind === 'mutation') {
          expect(c.truncateAt).toBe(s.truncateAt);
          expect(c.ids.slice(0, s.truncateAt)).toEqual(c.parentIds!.slice(0, s.truncateAt));
        }
      }
      expect(s.poolSize).toBe(seen.size);
      expect(s.stepLoss).toBe(Math.min(...s.candidates.map((c) => c.loss)));
    }
  });

  it("shows the pool's best max(10, P + 4) by mean loss, the first as best, mutations with their parent's text", async () => {
    const { steps } = await run();
    const last = steps.at(-1)!;
    expect(last.top).toHaveLength(10);
    expect(last.best).toEqual(last.top[0]);
    for (let i = 1; i < last.top.length; i++) expect(last.top[i].meanLoss).toBeGreaterThanOrEqual(last.top[i - 1].meanLoss);
    const bigger = await run({ pop_size: 8 });
    expect(bigger.steps.at(-1)!.top).toHaveLength(12);
    const all = steps.flatMap((s) => s.candidates);
    const textOf = new Map(all.map((c) => [keyOf(c.ids), c.text]));
    const mutations = steps.flatMap((s) => s.top).filter((t) => t.origin.kind === 'mutation');
    expect(mutations.length).toBeGreaterThan(0);
    for (const t of mutations) {
      const parent = t.origin.kind === 'mutation' ? t.origin.parent : '';
      expect(t.parentText).toBe(textOf.get(parent));
    }
    for (const t of steps.flatMap((s) => s.top).filter((t) => t.origin.kind !== 'mutation')) expect(t).not.toHaveProperty('parentText');
  });

  it('the metadata lines up with the ranked prompts and says how the search ran', async () => {
    const { result, steps } = await run();
    const md = result.metadata;
    // prompts are the explanations (cleaned and merged); the prompts as found stay in the reference's fields.
    expect(result.prompts).toEqual(md.explanations.map((e) => e.text));
    expect(md.prefixes).toEqual(md.ranked.map((r) => r.text));
    expect(md.prefix_ids).toEqual(md.ranked.map((r) => r.ids));
    expect(md.prefix_train_loss).toEqual(md.ranked.map((r) => r.trainLoss));
    expect(md.prefix_train_acc).toEqual(md.ranked.map((r) => r.trainAccuracy));
    expect(md.prefix_n_queries).toEqual(md.ranked.map((r) => r.timesScored));
    expect(md.prefix_test_loss).toEqual(md.ranked.map((r) => r.loss));
    expect(md.prefix_test_acc).toEqual(md.ranked.map((r) => r.accuracy));
    expect(md).toMatchObject({ steps: 8, stopped_by: 'n_epochs', ranking: 'held_out', pool_size: steps.at(-1)!.poolSize, pre_data_prompt_str: 'Data:\n\n', post_data_prompt_str: '\n\nPrompt:' });
    expect(md.tokens).toBeGreaterThan(steps.at(-1)!.tokens);
    expect(md.baseline?.examples).toBe(10);
    expect(Date.parse(md.train_end_time)).toBeGreaterThanOrEqual(Date.parse(md.train_start_time));
    expect(md.train_time_elapsed).toBeGreaterThanOrEqual(0);
    expect(md.rank_time_elapsed).toBeGreaterThanOrEqual(0);
  });

  it('without a held-out split the ranking and baseline use the first n_eval training rows', async () => {
    const { result, m, steps } = await run({ held_out_fraction: 0, n_eval: 5 });
    expect(result.metadata.sizes.heldOutExamples).toBe(0);
    expect(result.metadata.baseline?.examples).toBe(5);
    // The baseline and the final ranking's calls score each prompt on 5 examples.
    const rankingCalls = m.scoreCalls.slice(steps.length);
    expect(rankingCalls.length).toBeGreaterThan(1);
    for (const call of rankingCalls) expect(call.length % 5).toBe(0);
    // The baseline (the first of them) scores the first five inputs with the empty prompt.
    expect(rankingCalls[0].map((r) => m.decode(r.context))).toEqual(inputs.slice(0, 5).map((i) => `. ${i}`));
    expect(rankingCalls[0].map((r) => m.decode(r.continuation))).toEqual(outputs.slice(0, 5));
  });

  it('without the final ranking there are no held-out scores', async () => {
    const { result } = await run({ do_final_reranking: false });
    expect(result.metadata.ranking).toBe('running_means');
    expect(result.metadata.prefix_test_loss).toBeNull();
    expect(result.metadata.prefix_test_acc).toBeNull();
  });
});
