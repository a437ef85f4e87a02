/**
 * A person's own descriptions scored after a run: on the run's evaluation examples, under the
 * run's template and mask, with intervals on the run's bootstrap resamples and paired against its
 * best explanation, so they can be listed beside the found ones with the same figures.
 */
import { Evaluator } from './evaluation.ts';
import { scoreDescriptionsOn, type Evidence, type Explanation, type Measured } from './explanations.ts';
import type { ModelCallControl, SearchLanguageModel } from './languageModel.ts';
import { resolveOptions, type IPromptOptionsInput } from './options.ts';
import { cutTokens } from './template.ts';

export interface DescribeRun {
  /** The run's options (its template: prefix_before_input, preprefix, max_length). */
  options: IPromptOptionsInput;
  /** The run's evaluation examples, baseline and bootstrap seed (metadata.evidence). */
  evidence: Evidence | null | undefined;
  /** The run's best explanation, for the "indistinguishable from the best" mark. */
  best: Pick<Measured, 'perExample'> | null;
}

export class DescribeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DescribeError';
  }
}

export async function scoreDescriptions(model: SearchLanguageModel, run: DescribeRun, texts: readonly string[], control: ModelCallControl = {}): Promise<Explanation[]> {
  const evidence = run.evidence;
  if (!evidence || evidence.examples.length === 0) throw new DescribeError('This run carries no evaluation examples to score a description on (a link made too short for them leaves them out); run the search again to score your own.');
  texts.forEach((t, i) => {
    if (t.trim() === '') throw new DescribeError(`Description ${i + 1} is empty: type what you think the rule is.`);
  });
  const o = resolveOptions(run.options);
  const enc = (text: string, side: 'left' | 'right') => cutTokens(model.encode(text), o.max_length, side);
  const evaluator = new Evaluator(model, o, enc, control, evidence.firstTokenChoices);
  return scoreDescriptionsOn(evidence, run.best, texts, evaluator, (t) => model.encode(t));
}
