/**
 * Every averaging, weighting and selection rule of the search, each with a precise expected value:
 * a fake model whose per-token log-probabilities and argmax flags vary by token, row and prompt
 * (FakeModel's perToken), with the expected numbers computed in the test from the same function
 * over the exact requests the search made.
 */
import { describe, expect, it } from 'vitest';
import type { ScoreRequest } from './languageModel.ts';
import { PromptPool } from './pool.ts';
import { SeededRandom } from '../util/random.ts';
import { prepareData } from './data.ts';
import { resolveOptions } from './options.ts';
import { startSearch, type ExplainResult, type SearchEvent, type StepEvent } from './search.ts';
import { FakeModel, fakeWords, scoreByRules } from './testing/fakeModel.ts';

// Outputs of one to three tokens, so per-token and per-example means differ.
const inputs = Array.from({ length: 40 }, (_, i) => `Given x${i} the answer is`);
const outputs = Array.from({ length: 40 }, (_, i) => ` y${i}${' z'.repeat(i % 3)}`);
const T = 6;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
/** The likelihood: depends on the prompt (the first T context ids), the row (its input ids) and the position. */
function perToken(r: ScoreRequest, j: number) {
  const prompt = sum(r.context.slice(0, T));
  const row = sum(r.context.slice(T));
  const h = (prompt * 31 + row * 7 + j * 13) % 23;
  return { logprob: -(0.05 + h / 10), argmax: j === 0 || h % 4 !== 0 };
}

function varying(words = 60) {
  return new FakeModel({ words: fakeWords(words), target: 'w0', perToken });
}

const small = { batch_size: 8, n_epochs: 3, pop_size: 4, num_random_generations: 2, num_mutations: 2, seed: 7 };

async function run(opts: Record<string, unknown> = {}, m = varying(), hook?: (e: SearchEvent, h: ReturnType<typeof startSearch>) => void) {
  const events: SearchEvent[] = [];
  const handle: ReturnType<typeof startSearch> = startSearch(m, inputs, outputs, { ...small, ...opts }, { onEvent: (e) => (events.push(e), hook?.(e, handle)) });
  const result: ExplainResult = await handle.result;
  return { result, events, steps: events.filter((e): e is StepEvent => e.type === 'step'), m };
}

/** Expected loss and accuracy of one prompt over the requests of a score call, by the rules. */
const expectedScore = (requests: readonly ScoreRequest[]) => scoreByRules(requests, perToken);

describe('the search, rule by rule', () => {
  it("a candidate's loss is the token-weighted mean NLL; its accuracy counts rows whose every token is the argmax", async () => {
    const { steps, m } = await run({ n_epochs: 1 });
    let checked = 0;
    steps.forEach((s, i) => {
      const call = m.scoreCalls[i];
      const byPrompt = new Map<string, ScoreRequest[]>();
      for (const r of call) {
        const k = r.context.slice(0, T).join(',');
        byPrompt.set(k, [...(byPrompt.get(k) ?? []), r]);
      }
      for (const c of s.candidates) {
        const want = expectedScore(byPrompt.get(c.ids.join(','))!);
        expect(c.loss).toBeCloseTo(want.loss, 6);
        expect(c.accuracy).toBe(want.accuracy);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(30);
    // The rules matter here: some candidate's per-example mean and first-token accuracy differ.
    const anyRows = m.scoreCalls[0].filter((r) => r.context.slice(0, T).join(',') === steps[0].candidates[0].ids.join(','));
    const perExample = sum(anyRows.map((r) => -sum(r.continuation.map((_, j) => perToken(r, j).logprob)) / r.continuation.length)) / anyRows.length;
    expect(Math.abs(perExample - expectedScore(anyRows).loss)).toBeGreaterThan(1e-3);
  });

  it('records per step the lowest candidate loss and the highest number of correct rows', async () => {
    const { steps, result } = await run({ n_epochs: 2 });
    const minLoss = steps.map((s) => Math.min(...s.candidates.map((c) => c.loss)));
    const batch = (i: number) => (i % 4 < 3 ? 8 : 6); // 30 training rows in batches of 8, 8, 8, 6
    const maxCorrect = steps.map((s, i) => Math.max(...s.candidates.map((c) => Math.round(c.accuracy * batch(i)))));
    expect(result.metadata.all_losses).toEqual(minLoss);
    expect(result.metadata.all_n_correct).toEqual(maxCorrect);
    steps.forEach((s, i) => {
      expect(s.stepLoss).toBe(minLoss[i]);
      expect(s.stepAccuracy).toBe(maxCorrect[i] / batch(i));
    });
    // Meaningful only because the best is not simply the last candidate.
    expect(steps.some((s) => s.candidates.at(-1)!.loss !== Math.min(...s.candidates.map((c) => c.loss)))).toBe(true);
  });

  it("keeps every prompt's running mean loss and accuracy over all the batches it was scored on", async () => {
    const { steps } = await run({ n_epochs: 4 });
    const history = new Map<string, { loss: number[]; acc: number[] }>();
    for (const s of steps) {
      const seenThisStep = new Set<string>();
      for (const c of s.candidates) {
        const k = c.ids.join(',');
        const h = history.get(k) ?? { loss: [], acc: [] };
        h.loss.push(c.loss);
        h.acc.push(c.accuracy);
        history.set(k, h);
        seenThisStep.add(k);
      }
    }
    let varied = 0;
    for (const p of steps.at(-1)!.top) {
      const h = history.get(p.ids.join(','))!;
      expect(p.timesScored).toBe(h.loss.length);
      expect(p.meanLoss).toBeCloseTo(sum(h.loss) / h.loss.length, 10);
      expect(p.meanAccuracy).toBeCloseTo(sum(h.acc) / h.acc.length, 10);
      if (new Set(h.acc).size > 1) varied++;
    }
    expect(varied).toBeGreaterThan(0);
  });

  it('mutations cut at every position from 0 to T-1 over a run', async () => {
    const { steps } = await run({ n_epochs: 20, max_n_steps: 60 });
    expect([...new Set(steps.map((s) => s.truncateAt))].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('early stopping needs five distinct prompts at the top: a pool of one never stops early', async () => {
    const one = await run({ n_epochs: 6, early_stopping_steps: 2 }, varying(1));
    expect(one.result.metadata.pool_size).toBe(1);
    expect(one.result.metadata.stopped_by).toBe('n_epochs');
    expect(one.steps.every((s) => s.unchangedSteps === 0)).toBe(true);
  });

  it("a prompt's first step is the step on which it was first scored (0 for the initial population)", async () => {
    const { steps, result } = await run({ n_epochs: 2 });
    const firstSeen = new Map<string, number>();
    for (const s of steps) for (const c of s.candidates) if (!firstSeen.has(c.ids.join(','))) firstSeen.set(c.ids.join(','), s.step);
    let later = 0;
    for (const r of result.metadata.ranked) {
      const want = r.origin.kind === 'initial' ? 0 : firstSeen.get(r.ids.join(','));
      expect(r.firstStep, r.text).toBe(want);
      if (r.firstStep > 1) later++;
    }
    expect(later).toBeGreaterThan(0);
  });

  it('a second stop during the final ranking cuts it short; without it the ranking completes', async () => {
    const many = Array.from({ length: 400 }, (_, i) => i);
    const ins = many.map((i) => `Given x${i} the answer is`);
    const outs = many.map((i) => ` y${i}`);
    const opts = { ...small, n_epochs: 1, batch_size: 16, final_rerank_min_batches: 1 };
    const go = async (secondStop: boolean) => {
      const events: SearchEvent[] = [];
      const handle: ReturnType<typeof startSearch> = startSearch(varying(), ins, outs, opts, {
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'step' && e.step === 4) handle.stop();
          if (secondStop && e.type === 'ranking' && e.done > 0 && e.done < e.total) handle.stop();
        },
      });
      const r = await handle.result;
      const rankingEvents = events.filter((e): e is Extract<SearchEvent, { type: 'ranking' }> => e.type === 'ranking');
      return { r, total: rankingEvents[0].total };
    };
    const full = await go(false);
    // 100 held-out examples: the ranking goes in groups of 20 prompts, so there is room to cut.
    expect(full.total).toBeGreaterThan(20);
    expect(full.r.metadata.ranking).toBe('held_out');
    expect(full.r.metadata.ranked.length).toBe(full.total);
    const cut = await go(true);
    expect(cut.r.metadata.stopped_by).toBe('stopped');
    expect(cut.r.metadata.ranking).toBe('partial');
    expect(cut.r.metadata.ranked.length).toBe(20);
  });
});

describe('the pool, rule by rule', () => {
  const decode = (ids: readonly number[]) => ids.join(' ');
  const origin = { kind: 'proposal' } as const;

  it('the mean accuracy runs over every batch, not the last', () => {
    const pool = new PromptPool('acc', decode);
    pool.update([1], 2, 1, 1, origin);
    pool.update([1], 1, 0, 2, origin);
    pool.update([1], 3, 0, 3, origin);
    expect(pool.get('1')!.meanAccuracy).toBeCloseTo(1 / 3, 12);
    expect(pool.get('1')!.meanLoss).toBe(2);
  });

  it('pads a short diverse top-k with random draws from the found prompts', () => {
    const pool = new PromptPool('loss', decode);
    pool.update([1], 1, 0, 1, origin);
    pool.update([2], 2, 0, 1, origin);
    let secondRepeated = false;
    for (let seed = 0; seed < 12; seed++) {
      const top = pool.topkDifferentStartToken(6, 0, SeededRandom.search(seed));
      // The same draws by hand: 4 choices among the two found, best first.
      const mirror = SeededRandom.search(seed);
      const picks = Array.from({ length: 4 }, () => mirror.choice(['1', '2']));
      const count = (k: string) => top.filter((e) => e.key === k).length;
      expect(count('1')).toBe(1 + picks.filter((k) => k === '1').length);
      expect(count('2')).toBe(1 + picks.filter((k) => k === '2').length);
      if (count('2') > 1) secondRepeated = true;
    }
    expect(secondRepeated).toBe(true);
  });
});

describe('n-shot rows', () => {
  it("run the earlier examples together with no separator before the last input, as the reference's does", () => {
    const o = resolveOptions({ n_shots: 3, max_n_datapoints: 20, do_final_reranking: false });
    const d = prepareData(inputs, outputs, o, SeededRandom.search(4));
    for (const r of d.rows) {
      const parts = r.text.split('\n\n');
      expect(r.input).toBe(parts[0] + parts[1] + r.lastInput);
    }
  });
});
