/**
 * From a ranking to explanations a person can read and trust (after the final ranking, on the
 * same evaluation examples):
 *  - clean wording: each top prompt cut to its shortest word-boundary wording that scores no
 *    worse (a tail after the sentence's end may cost up to clean_tolerance; words inside it must
 *    lower the loss by more than that), and prompts whose cleaned text is the same merged, in the
 *    ranking's order;
 *  - confidence: each explanation's loss and accuracy with a 95% bootstrap interval, a mark on
 *    those the paired comparison cannot tell from the best, and whether each beats no prompt;
 *  - evidence: per example, the model's greedy answer with the explanation and without it;
 *  - a person's own descriptions, scored and measured the same way;
 *  - a verdict, in one sentence, on whether anything explains the data at all.
 */
import { shorterWordings } from './clean.ts';
import type { Example } from './data.ts';
import { Evaluator, summarise } from './evaluation.ts';
import type { IPromptOptions } from './options.ts';
import { fmix32 } from '../util/random.ts';
import { clearlyBetter, confidenceOf, indistinguishable, pairedDifference, Resamples, type ExampleResults, type Interval } from './stats.ts';

export interface EvalExample extends Example {
  /** Output tokens scored. */
  tokens: number;
}

/** One prompt's figures on the evaluation examples. */
export interface Measured {
  loss: number;
  accuracy: number;
  lossInterval: Interval;
  accuracyInterval: Interval;
  /** Per evaluation example (aligned with Evidence.examples): summed output NLL, exact match, and the greedy answer when computed. */
  perExample: ExampleResults & { greedy?: string[] };
}

export interface ExplanationVariant {
  /** The prompt as the search found it. */
  text: string;
  ids: number[];
  loss: number;
  accuracy: number;
  /** Its place in metadata.ranked (0 = first). */
  rank: number;
}

export interface Explanation extends Measured {
  /** The wording shown: the cleaned text (or the prompt as found when cleaning is off or kept nothing out). */
  text: string;
  ids: number[];
  source: 'search' | 'user';
  /** The text is shorter than the prompt it came from. */
  cleaned: boolean;
  /** The prompts as found that clean to this text, best first (empty for a person's own description). */
  variants: ExplanationVariant[];
  /** The paired comparison with the best explanation cannot tell the two apart (true for the best itself). */
  tiedWithBest: boolean;
  /** Better than no prompt beyond the intervals, paired over the same examples (stats.clearlyBetter). */
  beatsBaseline: boolean;
}

/** What the explanations were measured on; enough to score another description later on the same examples. */
export interface Evidence {
  examples: EvalExample[];
  /** 'held_out': examples never shown to the search; 'training_rows': without a held-out split, the first n_eval rows. */
  split: 'held_out' | 'training_rows';
  baseline: Measured;
  /** mask_possible_answers: the first output tokens allowed (from the training outputs only). */
  firstTokenChoices: number[] | null;
  /** Seed of the bootstrap resamples (stats.Resamples); the same seed and examples give the same resamples. */
  bootstrapSeed: number;
}

export interface Verdict {
  /** Some explanation beats the no-prompt baseline beyond its interval. */
  explained: boolean;
  message: string;
}

export interface ExplanationsResult {
  explanations: Explanation[];
  descriptions: Explanation[];
  evidence: Evidence;
  verdict: Verdict;
}

export interface RankedInput {
  text: string;
  ids: readonly number[];
  loss: number;
  accuracy: number;
  /** Its results on the evaluation examples, when the ranking already scored it there. */
  perExample?: ExampleResults;
}

export interface ExplainStage {
  evaluator: Evaluator;
  encode: (text: string) => number[];
  options: IPromptOptions;
  examples: readonly Example[];
  split: Evidence['split'];
  baseline: ExampleResults;
  /** Stop early (a second stop): skip cleaning and greedy answers, keep the intervals. */
  cutShort: () => boolean;
  onProgress?: (done: number, total: number, phase: 'clean' | 'evidence') => void;
}

export const bootstrapSeedOf = (seed: number): number => fmix32((seed >>> 0) ^ 0xb0075eed);

/** A prompt's figures on the evaluation examples: means, 95% intervals on the run's resamples, and its per-example results. */
function measure(r: ExampleResults, tokens: readonly number[], rs: Resamples): Measured {
  return { ...summarise(r, tokens), ...confidenceOf(r, tokens, rs), perExample: { nll: [...r.nll], correct: [...r.correct] } };
}

export async function buildExplanations(ranked: readonly RankedInput[], descriptions: readonly string[], s: ExplainStage): Promise<ExplanationsResult> {
  const o = s.options;
  const tokens = s.evaluator.outputTokens(s.examples);
  const examples: EvalExample[] = s.examples.map((e, i) => ({ input: e.input, output: e.output, tokens: tokens[i] }));
  const bootstrapSeed = bootstrapSeedOf(o.seed);
  const rs = new Resamples(examples.length, bootstrapSeed);

  const top = ranked.slice(0, o.n_explanations);
  const missing = top.filter((p) => !p.perExample);
  const scored = missing.length ? await s.evaluator.perExample(missing.map((p) => p.ids), s.examples) : [];
  const topResults = top.map((p) => p.perExample ?? scored[missing.indexOf(p)]);

  // Clean: every shorter wording of every top prompt, scored in one pass (shared wordings once).
  const wordings = o.clean_explanations && !s.cutShort() ? top.map((p) => shorterWordings(p.text)) : top.map(() => []);
  const flat = wordings.flat().map((w) => w.text);
  let flatResults: ExampleResults[] = [];
  if (flat.length) {
    s.onProgress?.(0, flat.length, 'clean');
    flatResults = await s.evaluator.perExample(flat.map((t) => s.encode(t)), s.examples);
    s.onProgress?.(flat.length, flat.length, 'clean');
  }
  let k = 0;
  const groups = new Map<string, { text: string; ids: number[]; result: ExampleResults; cleaned: boolean; variants: ExplanationVariant[] }>();
  top.forEach((p, rank) => {
    const full = summarise(topResults[rank], tokens);
    let chosen = { text: p.text, ids: [...p.ids], result: topResults[rank], cleaned: false };
    for (const w of wordings[rank]) {
      const r = flatResults[k++];
      const m = summarise(r, tokens);
      // Shortest first: the first wording that keeps the accuracy and the loss wins. Dropping a
      // tail after the sentence may cost up to the tolerance; dropping words inside it must lower
      // the loss by more than that, since they may be the words that name the rule.
      const allowed = w.tailOnly ? o.clean_tolerance : -o.clean_tolerance;
      if (!chosen.cleaned && m.accuracy >= full.accuracy && m.loss <= full.loss + allowed) chosen = { text: w.text, ids: s.encode(w.text), result: r, cleaned: true };
    }
    const variant: ExplanationVariant = { text: p.text, ids: [...p.ids], loss: full.loss, accuracy: full.accuracy, rank };
    const group = groups.get(chosen.text);
    if (group) group.variants.push(variant);
    else groups.set(chosen.text, { ...chosen, variants: [variant] });
  });

  const baseline = measure(s.baseline, tokens, rs);
  const entry = (g: { text: string; ids: number[]; result: ExampleResults; cleaned: boolean; variants: ExplanationVariant[] }): Explanation => ({
    text: g.text,
    ids: g.ids,
    source: 'search',
    cleaned: g.cleaned,
    variants: g.variants,
    ...measure(g.result, tokens, rs),
    tiedWithBest: false,
    beatsBaseline: clearlyBetter(pairedDifference(g.result, s.baseline, tokens, rs)),
  });
  // The ranking stands: each explanation takes the place of its best prompt as found (Map keeps
  // insertion order). Re-sorting by the cleaned wordings' own scores would let cleaning, which
  // may cost up to clean_tolerance, reorder the search's result.
  const explanations = [...groups.values()].map(entry);
  const best = explanations[0];
  for (const e of explanations) e.tiedWithBest = e === best || indistinguishable(pairedDifference(e.perExample, best.perExample, tokens, rs));

  // Evidence: greedy answers with each explanation and with no prompt.
  if (!s.cutShort()) {
    const total = explanations.length + 1;
    s.onProgress?.(0, total, 'evidence');
    baseline.perExample.greedy = await s.evaluator.greedy([], s.examples);
    for (let i = 0; i < explanations.length && !s.cutShort(); i++) {
      s.onProgress?.(i + 1, total, 'evidence');
      explanations[i].perExample.greedy = await s.evaluator.greedy(explanations[i].ids, s.examples);
    }
    s.onProgress?.(total, total, 'evidence');
  }

  const evidence: Evidence = { examples, split: s.split, baseline, firstTokenChoices: s.evaluator.firstTokenChoices ? [...s.evaluator.firstTokenChoices] : null, bootstrapSeed };
  const own = await scoreDescriptionsOn(evidence, best ?? null, descriptions, s.evaluator, s.encode, !s.cutShort());
  return { explanations, descriptions: own, evidence, verdict: verdictOf(explanations, baseline, examples.length, s.split) };
}

/**
 * A person's own descriptions scored on a run's evaluation examples, with the same figures as the
 * found explanations (intervals on the same resamples, paired against the best and the baseline).
 * Used at the end of a search and after it (the app's "score your own", the CLI's --score).
 */
export async function scoreDescriptionsOn(evidence: Evidence, best: Pick<Measured, 'perExample'> | null, texts: readonly string[], evaluator: Evaluator, encode: (text: string) => number[], withGreedy = true): Promise<Explanation[]> {
  if (texts.length === 0) return [];
  const tokens = evidence.examples.map((e) => e.tokens);
  const rs = new Resamples(evidence.examples.length, evidence.bootstrapSeed);
  const results = await evaluator.perExample(texts.map((t) => encode(t)), evidence.examples);
  const out: Explanation[] = [];
  for (let i = 0; i < texts.length; i++) {
    const r = results[i];
    const e: Explanation = {
      text: texts[i],
      ids: encode(texts[i]),
      source: 'user',
      cleaned: false,
      variants: [],
      ...measure(r, tokens, rs),
      tiedWithBest: best !== null && indistinguishable(pairedDifference(r, best.perExample, tokens, rs)),
      beatsBaseline: clearlyBetter(pairedDifference(r, evidence.baseline.perExample, tokens, rs)),
    };
    if (withGreedy) e.perExample.greedy = await evaluator.greedy(e.ids, evidence.examples);
    out.push(e);
  }
  return out;
}

const f3 = (x: number) => x.toFixed(3);
const range = (i: Interval, f: (x: number) => string) => `${f(i.low)}–${f(i.high)}`;

/** The one-sentence answer to "does anything here explain the data?". */
export function verdictOf(explanations: readonly Explanation[], baseline: Measured, n: number, split: Evidence['split']): Verdict {
  const on = `${n} ${split === 'held_out' ? 'held-out examples' : 'training rows'}`;
  const best = explanations[0];
  if (!best) return { explained: false, message: `No prompt was scored, so nothing explains this data yet.` };
  const winner = explanations.find((e) => e.beatsBaseline);
  if (winner) {
    return {
      explained: true,
      message:
        `${JSON.stringify(winner.text.trim())} explains the data better than no prompt on the ${on}: accuracy ${f3(winner.accuracy)} (95% interval ${range(winner.accuracyInterval, f3)}) against ${f3(baseline.accuracy)}, ` +
        `loss ${f3(winner.loss)} (${range(winner.lossInterval, f3)}) against ${f3(baseline.loss)}.`,
    };
  }
  return {
    explained: false,
    message:
      `Nothing here explains the data: no explanation beats no prompt at all on the ${on} (the best has accuracy ${f3(best.accuracy)} and loss ${f3(best.loss)}, ` +
      `95% interval ${range(best.lossInterval, f3)}; with no prompt, accuracy ${f3(baseline.accuracy)} and loss ${f3(baseline.loss)}). ` +
      `This model does not seem to know a rule behind these examples; try a larger model (the built-in one knows only its own task suite).`,
  };
}
