/**
 * A person's own descriptions scored after a run: on the run's evaluation examples, under the
 * run's template and mask, with intervals on the run's bootstrap resamples and paired against its
 * best explanation, so they can be listed beside the found ones with the same figures.
 */
import { Evaluator } from './evaluation.ts';
import { scoreDescriptionsOn, type Explanation } from './explanations.ts';
import type { ModelCallControl, SearchLanguageModel } from './languageModel.ts';
import { cutTokens } from './template.ts';
import type { ExplainMetadata } from './types.ts';

export async function scoreDescriptions(
  model: SearchLanguageModel,
  run: Pick<ExplainMetadata, 'options' | 'evidence' | 'explanations'>,
  texts: readonly string[],
  control: ModelCallControl = {},
): Promise<Explanation[]> {
  if (!run.evidence) throw new Error('This run has no evaluation examples to score a description on (it was saved without them).');
  texts.forEach((t, i) => {
    if (t.trim() === '') throw new Error(`Description ${i + 1} is empty.`);
  });
  const o = run.options;
  const enc = (text: string, side: 'left' | 'right') => cutTokens(model.encode(text), o.max_length, side);
  const evaluator = new Evaluator(model, o, enc, control, run.evidence.firstTokenChoices);
  return scoreDescriptionsOn(run.evidence, run.explanations[0] ?? null, texts, evaluator, (t) => model.encode(t));
}
