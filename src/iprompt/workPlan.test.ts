/**
 * The work plan against the work a real run does: the search runs on the shipped model (in Node)
 * through a wrapper that counts every token it scores, every token it feeds before generating, and
 * every decoding pass, and the plan made before the run must match those counts: the steps'
 * generation within 25%, scoring and the final phase from above (repeated candidates are scored
 * once), the whole run within a factor of 2. Counts are the part of a run's time that does not
 * depend on the machine; no test here reads a clock (bench/estimate.ts compares seconds). Options vary what the plan must follow: the quick
 * preset, a held-out final ranking, several shots per row, a long prompt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../engine/loadModel.ts';
import { loadNodeModel } from '../engine/node/nodeModel.ts';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';
import { searchModelOf } from '../bridge/searchModel.ts';
import { getAddTwoNumbersDataset, taskPairs } from '../datasets/tasks/index.ts';
import { startSearch } from './index.ts';
import type { IPromptOptionsInput } from './options.ts';
import { PRESETS } from './presets.ts';
import type { SearchLanguageModel } from './languageModel.ts';
import { planSeconds, planWork } from './workPlan.ts';

interface Counted {
  scoredTokens: number;
  prefillTokens: number;
  passes: number;
  passRows: number;
}
const zero = (): Counted => ({ scoredTokens: 0, prefillTokens: 0, passes: 0, passRows: 0 });

/** The model, counting the work of each call into `into()` (the steps' or the final phase's counts). */
function counting(model: SearchLanguageModel, into: () => Counted): SearchLanguageModel {
  return {
    ...model,
    async score(requests, opts) {
      for (const r of requests) into().scoredTokens += r.context.length + r.continuation.length;
      return model.score(requests, opts);
    },
    async generate(contexts, opts) {
      const c = into();
      for (const x of contexts) c.prefillTokens += x.length;
      c.passes += opts.max_new_tokens - 1;
      c.passRows += (opts.max_new_tokens - 1) * contexts.length;
      return model.generate(contexts, opts);
    },
  };
}

const CASES: { label: string; data: () => { inputs: string[]; outputs: string[] }; options: IPromptOptionsInput }[] = [
  { label: 'quick preset (8 steps) on add_two', data: getAddTwoNumbersDataset, options: { ...PRESETS.quick.options, max_n_steps: 7 } },
  { label: 'quick preset, held-out final ranking, on a word task', data: () => taskPairs('plural', { n: 60, seed: 3 }), options: { ...PRESETS.quick.options, max_n_steps: 5, do_final_reranking: true, held_out_fraction: 0.25 } },
  { label: '3 shots per row, 8-token prompts, batch 8', data: getAddTwoNumbersDataset, options: { ...PRESETS.quick.options, max_n_steps: 4, n_shots: 3, num_learned_tokens: 8, batch_size: 8, max_n_datapoints: 64 } },
];

describe('planWork on the shipped model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadNodeModel(DEFAULT_MODEL);
  });
  afterAll(() => model?.dispose());

  it.each(CASES)('$label: the plan made before the run matches the work the run did', async ({ data, options }) => {
    const { inputs, outputs } = data();
    const lm = searchModelOf(model.engine, model.tokenizer);
    const plan = planWork(lm, inputs, outputs, options);
    const steps = zero();
    const final = zero();
    let stepCount = 0;
    let ranking = false;
    const run = startSearch(counting(lm, () => (ranking ? final : steps)), inputs, outputs, options, {
      onEvent: (e) => {
        if (e.type === 'step') stepCount++;
        if (e.type === 'ranking') ranking = true;
      },
    });
    await run.result;
    expect(plan.steps).toBe(stepCount);
    const ratio = (planned: number, actual: number, what: string, lo: number, hi: number) => {
      expect(actual, what).toBeGreaterThan(0);
      const r = planned / actual;
      expect(r, `${what}: planned ${planned.toFixed(0)}, actual ${actual}`).toBeGreaterThanOrEqual(lo);
      expect(r, `${what}: planned ${planned.toFixed(0)}, actual ${actual}`).toBeLessThan(hi);
    };
    const stepsPlan = { scoredTokens: plan.scoredTokens - plan.final.scoredTokens, prefillTokens: plan.prefillTokens - plan.final.prefillTokens, passes: plan.passes - plan.final.passes, passRows: plan.passRows - plan.final.passRows };
    // The steps' generation follows the search's structure: within 25%.
    ratio(stepsPlan.prefillTokens, steps.prefillTokens, 'steps: tokens fed before generating', 0.8, 1.25);
    ratio(stepsPlan.passes, steps.passes, 'steps: decoding passes', 0.8, 1.25);
    ratio(stepsPlan.passRows, steps.passRows, 'steps: rows of decoding passes', 0.8, 1.25);
    // Scoring is planned for distinct candidates; a candidate that repeats another is scored once,
    // so the plan is an upper bound there, and so is the final phase (equal wordings merge).
    ratio(stepsPlan.scoredTokens, steps.scoredTokens, 'steps: tokens scored', 1, 2);
    for (const k of Object.keys(final) as (keyof Counted)[]) ratio(plan.final[k], final[k], `final phase: ${k}`, 0.8, 2.5);
    // The whole run, as the estimate uses it: within the factor of 2 the estimate promises.
    for (const k of Object.keys(final) as (keyof Counted)[]) ratio(plan[k], steps[k] + final[k], `whole run: ${k}`, 0.8, 2);
  }, 300_000);

  it('turns the plan into seconds with the speed measured at load, in the units it was measured in', () => {
    const speed = model.info.throughput;
    expect(speed).not.toBeNull();
    expect(speed!.scoreTokensPerSecond).toBeGreaterThan(0);
    // Hand-worked: 1,000 tokens at 500 tokens/s, and 10 passes of 4 rows at 2 + 0.5 x 4 ms.
    const plan = { scoredTokens: 600, prefillTokens: 400, passes: 10, passRows: 40 };
    expect(planSeconds(plan, { scoreTokensPerSecond: 500, passMs: { fixed: 2, perRow: 0.5 } })).toBeCloseTo(2 + 0.04, 10);
  });
});
