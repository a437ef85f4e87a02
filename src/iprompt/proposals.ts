/**
 * Proposals (reference section 2.2): the `Data:\n\n` | rows | `\n\nPrompt:` context, tokenized in
 * pieces, and fixed-length sampled continuations with newlines banned. Shared by the search and
 * by the single-sample ("suffix") baseline.
 */
import { prepareData, type Datapoint } from './data.ts';
import type { ModelCallControl, SearchLanguageModel } from './languageModel.ts';
import { resolveOptions, type IPromptOptions, type IPromptOptionsInput } from './options.ts';
import { SeededRandom } from '../util/random.ts';
import { cutTokens, type CutSide } from './template.ts';

/** The text before a proposal context's data rows (the reference's pre_data_prompt_str). */
export const preDataText = (o: IPromptOptions): string => `${o.llm_candidate_regeneration_prompt_start}\n\n`;

/** The text after them: `\n\nPrompt:`, then the preprefix after one space, as the reference builds post_data_prompt_str. */
export function postDataText(o: IPromptOptions): string {
  const preprefix = o.preprefix.trimStart();
  return `\n\n${o.llm_candidate_regeneration_prompt_end}` + (preprefix ? ' ' + preprefix : '');
}

export class Prompter {
  private readonly encoded = { right: new Map<string, number[]>(), left: new Map<string, number[]>() };
  private readonly pre: number[];
  private readonly post: number[];
  readonly banned: number[];

  constructor(
    readonly model: SearchLanguageModel,
    private readonly o: IPromptOptions,
    private readonly rng: SeededRandom,
    readonly control: ModelCallControl,
  ) {
    this.pre = model.encode(preDataText(o));
    this.post = model.encode(postDataText(o));
    this.banned = model.tokensContaining('\n');
  }

  /** Token ids of a piece of text, cut to max_length from the right (or the left). */
  enc(text: string, side: CutSide = 'right'): number[] {
    let ids = this.encoded[side].get(text);
    if (!ids) {
      ids = cutTokens(this.model.encode(text), this.o.max_length, side);
      this.encoded[side].set(text, ids);
    }
    return ids;
  }

  /** `Data:\n\n` | the row's examples | `\n\nPrompt:` (+ preprefix), tokenized in pieces. */
  context(row: Datapoint): number[] {
    return [...this.pre, ...this.enc(row.text), ...this.post];
  }

  /** `newTokens` sampled tokens after each context, with the search's sampling settings. */
  propose(contexts: number[][], newTokens: number): Promise<number[][]> {
    const o = this.o;
    return this.model.generate(contexts, {
      max_new_tokens: newTokens,
      seed: this.rng.seed(),
      temperature: o.generation_temp,
      top_k: o.generation_top_k,
      top_p: o.generation_top_p,
      repetition_penalty: o.generation_repetition_penalty,
      banned_token_ids: this.banned,
      ...this.control,
    });
  }
}

/**
 * The paper's "suffix" baseline: `count` prompts sampled straight from the model after the
 * proposal context of random data rows, in sampling order, with no scoring and no ranking.
 */
export async function sampleProposals(model: SearchLanguageModel, inputs: readonly string[], outputs: readonly string[], options: IPromptOptionsInput, count: number, control: ModelCallControl = {}): Promise<string[]> {
  const o = resolveOptions(options);
  const rng = SeededRandom.search(o.seed);
  const data = prepareData(inputs, outputs, o, rng);
  const prompter = new Prompter(model, o, rng, control);
  const contexts = Array.from({ length: count }, () => prompter.context(rng.choice(data.rows)));
  return (await prompter.propose(contexts, o.num_learned_tokens)).map((ids) => model.decode(ids));
}
