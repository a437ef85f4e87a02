import { describe, expect, it } from 'vitest';
import type { Example } from './data.ts';
import { Evaluator } from './evaluation.ts';
import { buildExplanations, scoreDescriptionsOn, type ExplainStage, type RankedInput } from './explanations.ts';
import type { ScoreRequest } from './languageModel.ts';
import { resolveOptions, type IPromptOptionsInput } from './options.ts';
import { cutTokens, scoringContext } from './template.ts';
import { FakeModel, scoreByRules } from './testing/fakeModel.ts';

/**
 * A likelihood with a phrase to find: output NLL 0.1 per token when the context has " add two",
 * 2 otherwise (but 0.05, never correct, with " two" alone); " helper" takes 0.05 off; every " x"
 * word adds 0.5. Correct exactly with the phrase.
 * Example i (input " n{i}") adds extra[i] to every token's NLL, for known per-example losses.
 */
function likelihood(m: () => FakeModel, extra: (i: number) => number = () => 0) {
  return (r: ScoreRequest, _j: number) => {
    const text = m().decode(r.context);
    const phrase = text.includes(' add two');
    const i = Number(/ n(\d+)/.exec(text)?.[1] ?? 0);
    const nll = (phrase ? 0.1 : text.includes(' two') ? 0.05 : 2) - (text.includes(' helper') ? 0.05 : 0) + 0.5 * (text.match(/ x\d/g)?.length ?? 0) + extra(i);
    return { logprob: -nll, argmax: phrase };
  };
}

function setup(opts: IPromptOptionsInput = {}, n = 20, extra?: (i: number) => number) {
  let model!: FakeModel;
  model = new FakeModel({ words: ['add', 'two', 'helper', 'w1', 'x1', 'x2', 'x3', 'x4', 'x5'], target: 'add', perToken: likelihood(() => model, extra) });
  const o = resolveOptions(opts);
  const enc = (text: string, side: 'left' | 'right') => cutTokens(model.encode(text), o.max_length, side);
  const evaluator = new Evaluator(model, o, enc, {}, null);
  const examples: Example[] = Array.from({ length: n }, (_, i) => ({ input: ` n${i}`, output: ' y z' }));
  const stage = (cut = false): ExplainStage => ({
    evaluator,
    encode: (t) => model.encode(t),
    options: o,
    examples,
    split: 'held_out',
    baseline: { nll: examples.map((_, i) => 2 * (2 + (extra?.(i) ?? 0))), correct: examples.map(() => false) },
    cutShort: () => cut,
  });
  const ranked = (...texts: string[]): RankedInput[] => texts.map((text) => ({ text, ids: model.encode(text), loss: NaN, accuracy: NaN }));
  const direct = (text: string) => scoreByRules(examples.map((e) => evaluator.request(model.encode(text), e)), likelihood(() => model, extra));
  return { model, o, evaluator, examples, stage, ranked, direct };
}

describe('clean wording', () => {
  it('a rewarded phrase plus stray tail tokens is cleaned to the phrase, and prompts that clean alike merge', async () => {
    const { stage, ranked, direct } = setup();
    const r = await buildExplanations(ranked(' add two x3 x4', ' add two x5', ' x1 x2'), [], stage());
    expect(r.explanations.map((e) => e.text)).toEqual([' add two', ' x1']);
    const [top, other] = r.explanations;
    expect(top.cleaned).toBe(true);
    expect(top.variants.map((v) => [v.text, v.rank])).toEqual([[' add two x3 x4', 0], [' add two x5', 1]]);
    // The figures are those of the cleaned text, scored on the same examples.
    expect(top.loss).toBeCloseTo(direct(' add two').loss, 12);
    expect(top.accuracy).toBe(1);
    expect(top.variants[0].loss).toBeCloseTo(direct(' add two x3 x4').loss, 12);
    // " x1" scores better than " x1 x2" (each x word costs 0.5), so it is the shortest that is no worse.
    expect(other.cleaned).toBe(true);
  });

  it('a stray tail after the sentence is dropped; one that helps beyond the tolerance is kept', async () => {
    const { stage, ranked } = setup();
    // " w1" changes nothing; " helper" takes 0.05 off, more than the default tolerance.
    expect((await buildExplanations(ranked(' add two. w1'), [], stage())).explanations[0].text).toBe(' add two');
    expect((await buildExplanations(ranked(' add two. helper'), [], stage())).explanations[0].text).toBe(' add two. helper');
    // With a tolerance above what the tail is worth, the sentence alone wins.
    const loose = setup({ clean_tolerance: 0.06 });
    expect((await buildExplanations(loose.ranked(' add two. helper'), [], loose.stage())).explanations[0].text).toBe(' add two');
  });

  it('words inside the sentence go only when dropping them lowers the loss by more than the tolerance', async () => {
    const { stage, ranked } = setup();
    // " x3" costs 0.5: dropped. " w1" costs nothing: kept, since such a word may be the one that names the rule.
    expect((await buildExplanations(ranked(' add two x3'), [], stage())).explanations[0].text).toBe(' add two');
    expect((await buildExplanations(ranked(' add two helper w1'), [], stage())).explanations[0].text).toBe(' add two helper w1');
    // Dropping " helper" costs 0.05: not inside the sentence, whatever the tolerance.
    const loose = setup({ clean_tolerance: 0.06 });
    expect((await buildExplanations(loose.ranked(' add two helper w1'), [], loose.stage())).explanations[0].text).toBe(' add two helper w1');
    // Dropping " helper x3" together lowers the loss by 0.45: done.
    expect((await buildExplanations(loose.ranked(' add two helper x3'), [], loose.stage())).explanations[0].text).toBe(' add two');
  });

  it('a shorter wording with a lower loss but a lower accuracy is not taken', async () => {
    const { stage, ranked } = setup();
    // " two" alone scores 0.05 but is never right; " two add two" drops the costly " x1".
    const r = await buildExplanations(ranked(' two add two x1'), [], stage());
    expect(r.explanations[0].text).toBe(' two add two');
  });

  it('clean_explanations: false keeps every prompt as found, one entry each', async () => {
    const { stage, ranked } = setup({ clean_explanations: false });
    const r = await buildExplanations(ranked(' add two x3 x4', ' add two x5'), [], stage());
    expect(r.explanations.map((e) => [e.text, e.cleaned, e.variants.length])).toEqual([[' add two x3 x4', false, 1], [' add two x5', false, 1]]);
  });

  it("explanations keep the ranking's order, each in the place of its best prompt as found, even where a cleaned wording scores better", async () => {
    const { stage, ranked } = setup();
    // " x3 x4 x1" and " x3 x5" both clean to " x3" and merge in the first one's place; " add two x5" stays second though it scores far better.
    const r = await buildExplanations(ranked(' x3 x4 x1', ' add two x5', ' x3 x5'), [], stage());
    expect(r.explanations.map((e) => [e.text, e.variants.map((v) => v.rank)])).toEqual([[' x3', [0, 2]], [' add two', [1]]]);
    expect(r.explanations[1].loss).toBeLessThan(r.explanations[0].loss);
  });

  it('only the top n_explanations prompts become explanations', async () => {
    const { stage, ranked } = setup({ n_explanations: 2 });
    const r = await buildExplanations(ranked(' add two x1', ' add two x2', ' add two x3'), [], stage());
    expect(r.explanations).toHaveLength(1);
    expect(r.explanations[0].variants).toHaveLength(2);
  });
});

describe('confidence', () => {
  it('with known per-example losses the interval covers the true mean and narrows with more examples', async () => {
    // Per-example extra NLL uniform over {0, 0.5, 1, 1.5, 2} by example: the true mean loss of " add two" is 0.1 + 1 = 1.1.
    const extra = (i: number) => 0.5 * ((i * 7) % 5);
    const small = setup({}, 20, extra);
    const large = setup({}, 200, extra);
    const a = (await buildExplanations(small.ranked(' add two'), [], small.stage())).explanations[0];
    const b = (await buildExplanations(large.ranked(' add two'), [], large.stage())).explanations[0];
    for (const e of [a, b]) {
      expect(e.loss).toBeCloseTo(1.1, 6); // log-probabilities pass through float32
      expect(e.lossInterval.low).toBeLessThan(1.1);
      expect(e.lossInterval.high).toBeGreaterThan(1.1);
      expect(e.accuracyInterval).toEqual({ low: 1, high: 1 });
    }
    const width = (e: typeof a) => e.lossInterval.high - e.lossInterval.low;
    expect(width(b)).toBeLessThan(width(a) * 0.5);
    expect(width(b)).toBeGreaterThan(width(a) * 0.2);
  });

  it('prompts the paired comparison cannot tell apart are marked; clearly different ones are not', async () => {
    const { stage, ranked } = setup({ clean_explanations: false });
    const r = await buildExplanations(ranked(' add two', ' two add two', ' x1'), [], stage());
    const by = Object.fromEntries(r.explanations.map((e) => [e.text, e]));
    expect(by[' add two'].tiedWithBest).toBe(true);
    expect(by[' two add two'].tiedWithBest).toBe(true); // same per-example losses
    expect(by[' x1'].tiedWithBest).toBe(false);
    expect(by[' add two'].beatsBaseline).toBe(true);
    expect(by[' x1'].beatsBaseline).toBe(false);
  });
});

describe('the verdict', () => {
  it('says nothing explains the data when no explanation beats no prompt, and names the best otherwise', async () => {
    const none = setup();
    const bad = await buildExplanations(none.ranked(' x1 x2', ' x3'), [], none.stage());
    expect(bad.verdict.explained).toBe(false);
    expect(bad.verdict.message).toMatch(/^Nothing here explains the data: no explanation beats no prompt at all on the 20 held-out examples/);
    expect(bad.verdict.message).toContain('try a larger model');
    const good = await buildExplanations(none.ranked(' x1 x2', ' add two x3'), [], none.stage());
    expect(good.verdict.explained).toBe(true);
    expect(good.verdict.message).toMatch(/^"add two" explains the data better than no prompt on the 20 held-out examples: accuracy 1\.000/);
  });

  it('says so when nothing was scored', async () => {
    const { stage } = setup();
    const r = await buildExplanations([], [], stage());
    expect(r.explanations).toEqual([]);
    expect(r.verdict).toEqual({ explained: false, message: 'No prompt was scored, so nothing explains this data yet.' });
  });
});

describe('per-example evidence and your own description', () => {
  it('match a direct score of the same texts, and the greedy answers come from the scoring template', async () => {
    const { model, stage, ranked, examples, evaluator, o, direct } = setup();
    const r = await buildExplanations(ranked(' add two x3'), [' add two', ' x2'], stage());
    const top = r.explanations[0];
    for (const [i, e] of examples.entries()) {
      const [res] = await model.score([evaluator.request(top.ids, e)]);
      expect(top.perExample.nll[i]).toBeCloseTo(-Array.from(res.logprobs).reduce((a, b) => a + b, 0), 12);
      expect(top.perExample.correct[i]).toBe(res.isArgmax.every(Boolean));
    }
    const [mine, other] = r.descriptions;
    expect(mine).toMatchObject({ text: ' add two', source: 'user', tiedWithBest: true, beatsBaseline: true, variants: [] });
    expect(mine.loss).toBeCloseTo(direct(' add two').loss, 12);
    expect(other).toMatchObject({ text: ' x2', tiedWithBest: false, beatsBaseline: false, accuracy: 0 });
    expect(other.loss).toBeCloseTo(direct(' x2').loss, 12);
    // Greedy answers: one generate call per prompt (and one with no prompt), each row the scoring context, as many tokens as the output.
    const calls = model.generateCalls;
    expect(calls).toHaveLength(1 + 1 + 2);
    const enc = (t: string, side: 'left' | 'right') => cutTokens(model.encode(t), o.max_length, side);
    expect(calls[0].contexts).toEqual(examples.map((e) => scoringContext([], e.input, o, enc)));
    expect(calls[1].contexts).toEqual(examples.map((e) => scoringContext(top.ids, e.input, o, enc)));
    for (const c of calls) expect(c.opts).toMatchObject({ max_new_tokens: 2, temperature: 0 });
    expect(r.evidence.baseline.perExample.greedy).toHaveLength(examples.length);
    expect(top.perExample.greedy).toHaveLength(examples.length);
    expect(mine.perExample.greedy).toHaveLength(examples.length);
  });

  it('a description scored later on the same evidence gets the same figures as one scored during the run', async () => {
    const { stage, ranked, evaluator, model } = setup();
    const r = await buildExplanations(ranked(' add two x3'), [' add two helper'], stage());
    const [later] = await scoreDescriptionsOn(r.evidence, r.explanations[0], [' add two helper'], evaluator, (t) => model.encode(t));
    expect(later).toEqual(r.descriptions[0]);
  });

  it('a second stop skips the cleaning and the greedy answers but keeps the intervals', async () => {
    const { stage, ranked, model } = setup();
    const r = await buildExplanations(ranked(' add two x3'), [], stage(true));
    expect(r.explanations[0].text).toBe(' add two x3');
    expect(r.explanations[0].perExample.greedy).toBeUndefined();
    expect(r.explanations[0].lossInterval.high).toBeGreaterThanOrEqual(r.explanations[0].lossInterval.low);
    expect(model.generateCalls).toHaveLength(0);
  });
});
