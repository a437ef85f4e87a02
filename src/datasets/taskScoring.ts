/**
 * How well each task description explains each task's data under a language model: the mean
 * output negative log-likelihood in the search's scoring template (" {description}. {input}" then
 * the output without its final period, as src/iprompt/template.ts builds it). Shared by the shipped model's checks and benchmarks.
 */
import type { LanguageModelEngine } from '../engine/engine.ts';
import type { TextTokenizer } from '../engine/tokenizer.ts';
import { cutTokens, DEFAULT_OPTIONS, scoringContext, type CutSide } from '../iprompt/index.ts';
import { stripOutput, type Task } from './tasks/index.ts';

export const asPromptText = (description: string) => ` ${description.trim().replace(/\.$/, '')}`;

/** nll[i][j]: mean output NLL of task j's examples under task i's canonical description. */
export async function descriptionNllMatrix(engine: LanguageModelEngine, tokenizer: TextTokenizer, tasks: readonly Task[], examplesPerTask: number, seed: number): Promise<number[][]> {
  const data = tasks.map((t) => t.generate(examplesPerTask, seed));
  const pairs: { context: number[]; continuation: number[] }[] = [];
  // The search's own template (src/iprompt/template.ts) with the default options.
  const enc = (text: string, side: CutSide) => cutTokens(tokenizer.encode(text), DEFAULT_OPTIONS.max_length, side);
  for (const describer of tasks) {
    const prompt = tokenizer.encode(asPromptText(describer.descriptions[0]));
    for (const examples of data) {
      for (const ex of examples) pairs.push({ context: scoringContext(prompt, ex.input, DEFAULT_OPTIONS, enc), continuation: enc(stripOutput(ex.output), 'right') });
    }
  }
  const scored = await engine.score(pairs);
  const nll: number[][] = [];
  let k = 0;
  for (let i = 0; i < tasks.length; i++) {
    nll.push([]);
    for (let j = 0; j < tasks.length; j++) {
      let sum = 0;
      let count = 0;
      for (let e = 0; e < examplesPerTask; e++) {
        for (const lp of scored[k++].logprobs) {
          sum -= lp;
          count++;
        }
      }
      nll[i].push(sum / count);
    }
  }
  return nll;
}
