import { describe, expect, it } from 'vitest';
import { FakeModel, fakeWords } from './testing/fakeModel.ts';
import { startSearch, type ExplainResult, type SearchCheckpoint, type SearchEvent, type StepEvent } from './search.ts';
import { resolveOptions, OptionsError, type IPromptOptionsInput } from './options.ts';

const inputs = Array.from({ length: 40 }, (_, i) => `Given x${i} the answer is`);
const outputs = Array.from({ length: 40 }, (_, i) => ` y${i} z.\n\n`);

function model(n = 60) {
  return new FakeModel({ words: [...fakeWords(n), 'sum', 'plus'], target: 'sum', helper: 'plus' });
}

const small: IPromptOptionsInput = { batch_size: 8, n_epochs: 3, pop_size: 4, num_random_generations: 2, num_mutations: 2, seed: 7 };

async function run(opts: IPromptOptionsInput = {}, m = model()) {
  const events: SearchEvent[] = [];
  const result = await startSearch(m, inputs, outputs, { ...small, ...opts }, { onEvent: (e) => events.push(e) }).result;
  const steps = events.filter((e): e is StepEvent => e.type === 'step');
  return { result, events, steps, m };
}

/** The result without wall-clock fields. */
function comparable(r: ExplainResult) {
  const { train_start_time: _a, train_end_time: _b, train_time_elapsed: _c, rank_time_elapsed: _d, ...rest } = r.metadata;
  return { prompts: r.prompts, rest };
}

describe('iPrompt search over a fake model', () => {
  it('finds the prompt word the likelihood rewards, and ranks it above the no-prompt baseline', async () => {
    const { result } = await run({ n_epochs: 4 });
    expect(result.prompts[0]).toContain(' sum');
    const best = result.metadata.ranked[0];
    expect(best.accuracy).toBe(1);
    expect(result.metadata.baseline!.accuracy).toBe(0);
    expect(best.loss).toBeLessThan(result.metadata.baseline!.loss);
    // The reference's return shape: prompts as found best first, per-prompt arrays aligned with it.
    expect(result.metadata.prefixes).toEqual(result.metadata.ranked.map((p) => p.text));
    expect(result.metadata.prefix_n_queries.length).toBe(result.metadata.ranked.length);
  });

  it('scores exactly (P + R) * (1 + M) candidates per step, all on the same batch', async () => {
    const { steps, m } = await run({ n_epochs: 1 });
    const C = (4 + 2) * (1 + 2);
    expect(steps.length).toBe(Math.ceil(30 / 8));
    for (const s of steps) expect(s.candidates.length).toBe(C);
    // One score call per step (then the baseline and the ranking) covering every distinct
    // candidate on the same B inputs in the same order; a repeated candidate is scored once and
    // recorded with the same result each time.
    const stepCalls = m.scoreCalls.slice(0, steps.length);
    stepCalls.forEach((call, i) => {
      const B = i < steps.length - 1 ? 8 : 30 - 8 * (steps.length - 1);
      const distinct = new Set(steps[i].candidates.map((c) => c.ids.join(',')));
      expect(call.length).toBe(distinct.size * B);
      for (let c = 0; c < distinct.size; c++) {
        const rows = call.slice(c * B, (c + 1) * B);
        expect(rows.map((r) => r.context.slice(6).join(','))).toEqual(call.slice(0, B).map((r) => r.context.slice(6).join(',')));
        expect(distinct.has(rows[0].context.slice(0, 6).join(','))).toBe(true);
      }
      const byIds = new Map<string, number>();
      for (const c of steps[i].candidates) {
        const k = c.ids.join(',');
        if (byIds.has(k)) expect(c.loss).toBe(byIds.get(k));
        byIds.set(k, c.loss);
      }
    });
    expect(steps.some((s) => new Set(s.candidates.map((c) => c.ids.join(','))).size < C)).toBe(true);
    const kinds = steps[1].candidates.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'population').length).toBe(4);
    expect(kinds.filter((k) => k === 'proposal').length).toBe(2);
    expect(kinds.filter((k) => k === 'mutation').length).toBe(12);
  });

  it("keeps a prompt's running mean over every batch it was scored on", async () => {
    const { steps } = await run({ n_epochs: 3 });
    const history = new Map<string, number[]>();
    for (const s of steps) {
      for (const c of s.candidates) history.set(c.ids.join(','), [...(history.get(c.ids.join(',')) ?? []), c.loss]);
    }
    const last = steps[steps.length - 1];
    for (const p of last.top) {
      const h = history.get(p.ids.join(','))!;
      expect(p.timesScored).toBe(h.length);
      expect(p.meanLoss).toBeCloseTo(h.reduce((a, b) => a + b, 0) / h.length, 10);
    }
    // This fake gives a prompt the same loss on every batch; rules.test.ts checks means that vary.
    expect(last.top.some((p) => p.timesScored > 1)).toBe(true);
  });

  it('mutations keep the first t tokens of their parent and regenerate the rest', async () => {
    const { steps } = await run({ n_epochs: 2 });
    const seenT = new Set<number>();
    for (const s of steps) {
      seenT.add(s.truncateAt);
      for (const c of s.candidates.filter((c) => c.kind === 'mutation')) {
        expect(c.truncateAt).toBe(s.truncateAt);
        expect(c.ids.length).toBe(6);
        expect(c.ids.slice(0, s.truncateAt)).toEqual(c.parentIds!.slice(0, s.truncateAt));
        // The kept part as text, for showing which words were kept and which regrown (the fake's words are tokens).
        expect(c.keptText).toBe(c.text.split(/(?= )/).slice(0, s.truncateAt).join(''));
      }
      for (const c of s.candidates.filter((c) => c.kind !== 'mutation')) expect(c.keptText).toBeUndefined();
    }
    expect(seenT.size).toBeGreaterThan(1);
  });

  it('the proposal context is Data:, the rows, Prompt: tokenized in pieces, with newlines banned', async () => {
    const m = model();
    await run({ n_epochs: 1, n_shots: 3, max_n_datapoints: 16 }, m);
    const first = m.generateCalls[0];
    const text = m.decode(first.contexts[0]);
    expect(text).toMatch(/^Data:\n\nGiven x\d+ the answer is y\d+ z\.\n\nGiven x\d+ the answer is y\d+ z\.\n\nGiven x\d+ the answer is y\d+ z\.\n\nPrompt:$/);
    expect(first.opts).toMatchObject({ max_new_tokens: 6, temperature: 1, top_k: 50, top_p: 1, repetition_penalty: 2 });
    expect(first.opts.banned_token_ids).toEqual(m.tokensContaining('\n'));
    expect(first.opts.banned_token_ids.length).toBeGreaterThan(0);
  });

  it('scores `prompt. input` then the stripped output, or `input prompt` when prefix_before_input is off', async () => {
    const m = model();
    await run({ n_epochs: 1 }, m);
    const r = m.scoreCalls[0][0];
    expect(m.decode(r.context)).toMatch(/^( \w+){6}\. Given x\d+ the answer is$/);
    expect(m.decode(r.continuation)).toMatch(/^ y\d+ z$/);
    const m2 = model();
    await run({ n_epochs: 1, prefix_before_input: false, preprefix: 'Rule:' }, m2);
    expect(m2.decode(m2.scoreCalls[0][0].context)).toMatch(/^Given x\d+ the answer isRule:( \w+){6}$/);
  });

  it('early stopping ends the run once the top five stay the same', async () => {
    const { result, steps } = await run({ n_epochs: 200, early_stopping_steps: 3 }, model(8));
    expect(result.metadata.stopped_by).toBe('early_stopping');
    expect(steps.length).toBeLessThan(result.metadata.sizes.plannedSteps);
    expect(steps[steps.length - 1].unchangedSteps).toBe(3);
  });

  it('stops after max_n_steps + 1 and max_n_datapoints as the reference does', async () => {
    expect((await run({ n_epochs: 50, max_n_steps: 4 })).result.metadata).toMatchObject({ steps: 5, stopped_by: 'max_n_steps' });
    // 30 training rows are subsampled to 20 (batches 8, 8, 4): 20 seen is not more than 20, so the
    // first step of the second epoch is the last.
    const capped = (await run({ n_epochs: 50, max_n_datapoints: 20 })).result.metadata;
    expect(capped).toMatchObject({ steps: 4, stopped_by: 'max_n_datapoints', sizes: { rows: 20, plannedSteps: 4 } });
  });

  it('the final ranking re-scores held-out examples and orders by accuracy, then loss', async () => {
    const { result, m } = await run({ n_epochs: 3 });
    const md = result.metadata;
    expect(md.ranking).toBe('held_out');
    expect(md.sizes.heldOutExamples).toBe(10);
    expect(md.ranked.length).toBeGreaterThan(3);
    for (let i = 1; i < md.ranked.length; i++) {
      const a = md.ranked[i - 1];
      const b = md.ranked[i];
      expect(a.accuracy > b.accuracy || (a.accuracy === b.accuracy && a.loss <= b.loss)).toBe(true);
      expect(b.timesScored).toBeGreaterThanOrEqual(2);
    }
    // Held-out inputs never appear in the search's batches.
    const heldInputs = new Set(m.scoreCalls.at(-1)!.map((r) => m.decode(r.context.slice(6))));
    const searched = new Set(m.scoreCalls.slice(0, md.steps).flatMap((c) => c.map((r) => m.decode(r.context.slice(6)))));
    for (const h of heldInputs) expect(searched.has(h)).toBe(false);
  });

  it('without the final ranking, ranks every scored prompt by running accuracy', async () => {
    const { result } = await run({ do_final_reranking: false });
    expect(result.metadata.ranking).toBe('running_means');
    expect(result.metadata.prefix_test_acc).toBeNull();
    expect(result.metadata.sizes.heldOutExamples).toBe(0);
    expect(result.metadata.ranked.length).toBe(result.metadata.pool_size);
  });

  it('the same seed gives an identical result; another seed another', async () => {
    const a = await run();
    const b = await run();
    const c = await run({ seed: 8 });
    expect(comparable(b.result)).toEqual(comparable(a.result));
    expect(c.steps[0].candidates.map((x) => x.text)).not.toEqual(a.steps[0].candidates.map((x) => x.text));
  });

  it('pause and resume give the same result as an uninterrupted run', async () => {
    const plain = await run();
    const events: SearchEvent[] = [];
    const handle = startSearch(model(), inputs, outputs, small, {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step' && e.step === 2) handle.pause();
        if (e.type === 'paused') setTimeout(() => handle.resume(), 20);
      },
    });
    const paused = await handle.result;
    expect(events.some((e) => e.type === 'paused')).toBe(true);
    expect(events.some((e) => e.type === 'resumed')).toBe(true);
    expect(comparable(paused)).toEqual(comparable(plain.result));
  });

  it('a run resumed from a checkpoint (through JSON, in a fresh model) ends exactly as an uninterrupted one, at every cut', async () => {
    // Early stopping on, so its memory is part of the checkpoint; epochs of 4 batches, so some cuts fall at an epoch's end.
    const opts = { ...small, early_stopping_steps: 3 };
    const plain = await startSearch(model(), inputs, outputs, opts).result;
    const checkpoints: SearchCheckpoint[] = [];
    const steps: StepEvent[] = [];
    const full = await startSearch(model(), inputs, outputs, opts, { checkpoints: true, onEvent: (e) => (e.type === 'checkpoint' ? checkpoints.push(e.checkpoint) : e.type === 'step' && steps.push(e)) }).result;
    expect(comparable(full)).toEqual(comparable(plain));
    expect(checkpoints.map((c) => c.step)).toEqual(steps.map((e) => e.step));
    for (const cut of [1, 4, 5, checkpoints.length - 1]) {
      const saved = JSON.parse(JSON.stringify(checkpoints[cut - 1])) as SearchCheckpoint;
      const later: StepEvent[] = [];
      const resumed = await startSearch(model(), inputs, outputs, opts, { resumeFrom: saved, onEvent: (e) => e.type === 'step' && later.push(e) }).result;
      expect(comparable(resumed), `cut after step ${cut}`).toEqual(comparable(plain));
      // It went on from the step after the cut, with the same candidates as the uninterrupted run.
      expect(later[0]?.step).toBe(cut + 1 <= steps.length ? cut + 1 : undefined);
      if (later[0]) expect(later[0].candidates).toEqual(steps[cut].candidates);
    }
  });

  it('a checkpoint resumes only its own run: another seed or other data is refused, naming it', async () => {
    const cps: SearchCheckpoint[] = [];
    await startSearch(model(), inputs, outputs, { ...small, n_epochs: 1 }, { checkpoints: true, onEvent: (e) => e.type === 'checkpoint' && cps.push(e.checkpoint) }).result;
    await expect(startSearch(model(), inputs, outputs, { ...small, seed: 8 }, { resumeFrom: cps[0] }).result).rejects.toThrow('This saved run used seed 7, not 8; resume it with its own settings.');
    await expect(startSearch(model(), inputs.slice(1), outputs.slice(1), small, { resumeFrom: cps[0] }).result).rejects.toThrow('This saved run had 40 examples, not 39; resume it on its own data.');
  });

  it('stop ends the search after the current step and still returns a ranking', async () => {
    const handle = startSearch(model(), inputs, outputs, { ...small, n_epochs: 100 }, {
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 3) handle.stop();
      },
    });
    const r = await handle.result;
    expect(r.metadata.steps).toBe(3);
    expect(r.metadata.stopped_by).toBe('stopped');
    expect(r.prompts.length).toBeGreaterThan(0);
    expect(handle.state).toBe('done');
  });

  it('an abort signal rejects the run', async () => {
    const ac = new AbortController();
    const m = model();
    const orig = m.score.bind(m);
    m.score = async (req, o) => {
      if (o?.signal?.aborted) throw new Error('aborted');
      return orig(req, o);
    };
    const handle = startSearch(m, inputs, outputs, small, { signal: ac.signal, onEvent: (e) => e.type === 'step' && ac.abort() });
    await expect(handle.result).rejects.toThrow('aborted');
    expect(handle.state).toBe('failed');
  });

  it('mask_possible_answers restricts the first output token to those seen in the outputs', async () => {
    const m = model();
    const calls: unknown[] = [];
    const orig = m.score.bind(m);
    m.score = async (req, o) => {
      calls.push(o?.firstTokenChoices);
      return orig(req, o);
    };
    await startSearch(m, ['a', 'b', 'c', 'd'], [' yes', ' no', ' yes', ' no'], { ...small, mask_possible_answers: true, batch_size: 2, n_epochs: 1 }).result;
    expect(calls[0]).toEqual([m.encode(' yes')[0], m.encode(' no')[0]].sort((a, b) => a - b));
  });

  it('mask_possible_answers takes the allowed first tokens from the training outputs only; a held-out output starting otherwise leaves the ranking', async () => {
    // 31 examples: yes/no labels and one "maybe". Find a seed whose held-out split has the maybe.
    const ins = Array.from({ length: 31 }, (_, i) => `q${i}`);
    const outs = ins.map((_, i) => (i === 30 ? ' maybe' : i % 2 ? ' yes' : ' no'));
    const opts = { ...small, mask_possible_answers: true, n_epochs: 1 };
    const m = model();
    for (let seed = 1; seed < 40; seed++) {
      const r = await startSearch(m, ins, outs, { ...opts, seed }).result;
      const ev = r.metadata.evidence!;
      const held = r.metadata.sizes.heldOutExamples + r.metadata.sizes.heldOutUnanswerable;
      expect(held).toBe(8); // round(31 * 0.25)
      // 23 training examples always hold both labels.
      expect(ev.firstTokenChoices).toEqual([m.encode(' yes')[0], m.encode(' no')[0]].sort((a, b) => a - b));
      expect(ev.examples).toHaveLength(r.metadata.sizes.heldOutExamples);
      if (r.metadata.sizes.heldOutUnanswerable === 0) continue;
      // The maybe was held out: it is neither allowed nor scored.
      expect(r.metadata.sizes.heldOutUnanswerable).toBe(1);
      expect(ev.firstTokenChoices).not.toContain(m.encode(' maybe')[0]);
      expect(ev.examples.map((e) => e.output)).not.toContain(' maybe');
      expect(r.metadata.baseline!.examples).toBe(7);
      return;
    }
    throw new Error('no seed held out the maybe');
  });

  it('with the final ranking on, prompts are the cleaned explanations; the prompts as found stay in metadata.ranked', async () => {
    const { result } = await run({ n_epochs: 4 });
    const md = result.metadata;
    expect(result.prompts).toEqual(md.explanations.map((e) => e.text));
    // Cleaning only cuts: each explanation is a start of the prompts it was found as; each raw prompt is some explanation's variant.
    for (const e of md.explanations) for (const v of e.variants) expect(v.text.startsWith(e.text)).toBe(true);
    const variants = md.explanations.flatMap((e) => e.variants.map((v) => v.text));
    expect(variants).toEqual(expect.arrayContaining(md.ranked.slice(0, md.options.n_explanations).map((p) => p.text)));
    expect(variants).toHaveLength(Math.min(md.options.n_explanations, md.ranked.length));
    expect(md.verdict!.explained).toBe(true);
  });

  it('emits the resolved options and sizes first, ranking progress, then the result', async () => {
    const { events, result } = await run({ n_epochs: 2 });
    expect(events[0]).toMatchObject({ type: 'start', sizes: { examples: 40, trainExamples: 30, heldOutExamples: 10, rows: 30, batchesPerEpoch: 4, plannedSteps: 8, candidatesPerStep: 18 } });
    expect((events[0] as { options: { num_learned_tokens: number } }).options.num_learned_tokens).toBe(6);
    const ranking = events.filter((e) => e.type === 'ranking');
    // The ranking's progress, then the cleaning's and the evidence's, each ending at its total.
    expect([...new Set(ranking.map((e) => e.phase))]).toEqual(['rerank', 'clean', 'evidence']);
    expect(ranking.filter((e) => e.phase === 'rerank').at(-1)).toMatchObject({ done: result.metadata.ranked.length, total: result.metadata.ranked.length });
    for (const phase of ['clean', 'evidence']) {
      const last = ranking.filter((e) => e.phase === phase).at(-1)!;
      expect(last.done).toBe(last.total);
    }
    expect(events.at(-1)).toEqual({ type: 'done', result });
    const step = events.find((e): e is StepEvent => e.type === 'step')!;
    expect(step.tokens).toBeGreaterThan(0);
    expect(step.best.text).toBe(step.top[0].text);
  });
});

describe('options', () => {
  it('fills in the defaults, with the documented deviations', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({ num_learned_tokens: 6, pop_size: 8, num_mutations: 4, num_random_generations: 4, batch_size: 64, n_epochs: 100, do_final_reranking: true, generation_repetition_penalty: 2, generation_top_k: 50, seed: 42 });
  });
  it('rejects unknown names and bad values with a message naming the option', () => {
    expect(() => resolveOptions({ pop_sise: 3 } as never)).toThrow(/Unknown option 'pop_sise'/);
    expect(() => resolveOptions({ batch_size: 0 })).toThrow(OptionsError);
    expect(() => resolveOptions({ batch_size: 0 })).toThrow(/batch_size/);
    expect(() => resolveOptions({ pop_criterion: 'best' as never })).toThrow(/pop_criterion/);
  });
});
