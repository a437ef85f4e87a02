/**
 * Scoring prompts under the one template (template.ts): per example (summed output NLL, whether
 * every output token was the argmax) and as the search's summary (token-weighted mean loss,
 * exact-match accuracy), plus the model's greedy answers for per-example evidence.
 */
import type { Example } from './data.ts';
import type { ModelCallControl, ScoreRequest, SearchLanguageModel } from './languageModel.ts';
import { keyOf } from './pool.ts';
import { meanAccuracy, meanLoss, type ExampleResults } from './stats.ts';
import { scoringContext, type CutSide, type TemplateOptions } from './template.ts';

export interface Summary {
  loss: number;
  accuracy: number;
}

export class Evaluator {
  constructor(
    private readonly model: SearchLanguageModel,
    private readonly template: TemplateOptions,
    /** Token ids of one piece of text, cut to max_length on `side` (the search's cached encoder). */
    private readonly enc: (text: string, side: CutSide) => number[],
    private readonly control: ModelCallControl,
    /** mask_possible_answers: the first output tokens allowed (null: all). */
    readonly firstTokenChoices: readonly number[] | null,
  ) {}

  /** Output tokens scored for each example. */
  outputTokens(examples: readonly Example[]): number[] {
    return examples.map((e) => this.enc(e.output, 'right').length);
  }

  /** Scoring sequence of one prompt and one example: the template's context, then the output. */
  request(prompt: readonly number[], e: Example): ScoreRequest {
    return { context: scoringContext(prompt, e.input, this.template, this.enc), continuation: this.enc(e.output, 'right') };
  }

  /**
   * Each prompt's result on each example. A prompt that occurs several times (repeats in the
   * population, mutations that regrew the same tokens) is scored once, so it gets the same score
   * each time, as in the reference.
   */
  async perExample(prompts: readonly (readonly number[])[], examples: readonly Example[]): Promise<ExampleResults[]> {
    const unique = new Map<string, number>();
    const distinct: (readonly number[])[] = [];
    const slot = prompts.map((p) => {
      const key = keyOf(p);
      let i = unique.get(key);
      if (i === undefined) {
        unique.set(key, (i = distinct.length));
        distinct.push(p);
      }
      return i;
    });
    const requests: ScoreRequest[] = [];
    for (const p of distinct) for (const e of examples) requests.push(this.request(p, e));
    const results = await this.model.score(requests, { ...this.control, ...(this.firstTokenChoices ? { firstTokenChoices: this.firstTokenChoices } : {}) });
    const per = distinct.map((_, c) => {
      const rows = results.slice(c * examples.length, (c + 1) * examples.length);
      return {
        nll: rows.map((r) => {
          let nll = 0;
          for (let j = 0; j < r.logprobs.length; j++) nll -= r.logprobs[j];
          return nll;
        }),
        correct: rows.map((r) => r.isArgmax.every(Boolean)),
      };
    });
    return slot.map((i) => per[i]);
  }

  /** Mean NLL over every output token (token-weighted, as the reference's cross-entropy) and exact-match accuracy. */
  async summaries(prompts: readonly (readonly number[])[], examples: readonly Example[]): Promise<Summary[]> {
    const tokens = this.outputTokens(examples);
    return (await this.perExample(prompts, examples)).map((r) => summarise(r, tokens));
  }

  /**
   * The model's greedy continuation of each example under the template, as many tokens as the
   * expected output has (the first one restricted as in scoring), decoded.
   */
  async greedy(prompt: readonly number[], examples: readonly Example[]): Promise<string[]> {
    const out: string[] = new Array(examples.length);
    // One generate call per output length: every row of a call gets the same number of tokens.
    const byLength = new Map<number, number[]>();
    examples.forEach((e, i) => {
      const n = Math.max(1, this.enc(e.output, 'right').length);
      const rows = byLength.get(n);
      if (rows) rows.push(i);
      else byLength.set(n, [i]);
    });
    for (const [n, rows] of byLength) {
      const generated = await this.model.generate(
        rows.map((i) => scoringContext(prompt, examples[i].input, this.template, this.enc)),
        { max_new_tokens: n, seed: 0, temperature: 0, top_k: 0, top_p: 1, repetition_penalty: 1, banned_token_ids: [], ...this.control, ...(this.firstTokenChoices ? { firstTokenChoices: this.firstTokenChoices } : {}) },
      );
      rows.forEach((i, k) => (out[i] = this.model.decode(generated[k])));
    }
    return out;
  }
}

/** Mean NLL over every output token (token-weighted, as the reference's cross-entropy) and exact-match accuracy. */
export function summarise(r: ExampleResults, tokens: readonly number[]): Summary {
  return { loss: meanLoss(r, tokens), accuracy: meanAccuracy(r) };
}
