/**
 * The scoring template (reference section 2.3), defined once for everything that puts a prompt
 * in front of the model: the search's scoring, the final ranking, the no-prompt baseline (the
 * empty prompt) and the app's "try it". What the model reads before the output is
 *
 *   prefix_before_input:  preprefix | prompt | ". " + input
 *   otherwise:            input | preprefix | prompt
 *
 * each piece tokenized on its own (the prompt is already token ids), and the input cut to
 * max_length tokens on the side away from the prompt.
 */

export interface TemplateOptions {
  prefix_before_input: boolean;
  preprefix: string;
  max_length: number;
}

/** Which end of a piece survives a cut to max_length: 'right' keeps the start, 'left' the end. */
export type CutSide = 'right' | 'left';

/** Token ids of one piece of text, already cut to max_length on `side`. */
export type PieceEncoder = (text: string, side: CutSide) => number[];

/** `ids` cut to `max` tokens: from the right (keeping the start) or from the left (keeping the end). */
export function cutTokens(ids: number[], max: number, side: CutSide): number[] {
  if (ids.length <= max) return ids;
  return side === 'right' ? ids.slice(0, max) : ids.slice(ids.length - max);
}

/** The context the model reads for `prompt` (token ids; [] for no prompt) and `input`. */
export function scoringContext(prompt: readonly number[], input: string, o: TemplateOptions, enc: PieceEncoder): number[] {
  const preprefix = o.preprefix ? enc(o.preprefix, 'right') : [];
  if (o.prefix_before_input) return [...preprefix, ...prompt, ...enc(`. ${input}`, 'right')];
  return [...enc(input, 'left'), ...preprefix, ...prompt];
}

/** The same template as text, for showing a person what the model reads (pieces joined as their tokens are). */
export function scoringText(prompt: string, input: string, o: Omit<TemplateOptions, 'max_length'>): string {
  return o.prefix_before_input ? `${o.preprefix}${prompt}. ${input}` : `${input}${o.preprefix}${prompt}`;
}
