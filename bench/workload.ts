/**
 * The workloads every engine benchmark runs, the same on every runtime:
 * - scoring: iPrompt-shaped pairs (a candidate prompt, an input, and the output to score), four
 *   prompts on eight inputs each, so rows share prompts as a search's do;
 * - a search step: the quick preset on add_two, timed over the steps after the first.
 */
import { getAddTwoNumbersDataset } from '../src/datasets/tasks/index.ts';
import { PRESETS, type IPromptOptionsInput } from '../src/iprompt/index.ts';

export interface Tok {
  encode(text: string): number[];
}

/** [context, continuation] texts of the scoring workload. */
export function scoringTexts(n = 32): [string, string][] {
  const prompts = ['Add the two numbers.', 'Return the sum of the inputs.', 'Multiply them together.', 'Output the larger number.'];
  return Array.from({ length: n }, (_, i) => {
    const a = (i * 7) % 10;
    const b = (i * 3 + 1) % 10;
    return [`${prompts[i % prompts.length]} Given the input numbers ${a} and ${b}, the answer is`, ` ${a + b}.`];
  });
}

export function scoringPairs(tok: Tok, n = 32): { context: number[]; continuation: number[] }[] {
  return scoringTexts(n).map(([c, o]) => ({ context: tok.encode(c), continuation: tok.encode(o) }));
}

/** The step workload: the quick preset's search on add_two (cancelled once timed, so never ranked). */
export function stepWorkload(): { inputs: string[]; outputs: string[]; options: IPromptOptionsInput } {
  const d = getAddTwoNumbersDataset();
  return { inputs: d.inputs, outputs: d.outputs, options: { ...PRESETS.quick.options } };
}

export const MIN_MS = 4000;
export const MIN_ITERS = 3;
/** Steps are timed for at least this long (one step on the larger hub shapes takes longer). */
export const STEP_MIN_MS = 8000;
