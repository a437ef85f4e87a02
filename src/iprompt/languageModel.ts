/**
 * What the search needs from a language model, and nothing more. The engine implements it
 * (src/engine/searchModel.ts); unit tests implement it with fakes whose likelihoods are known.
 * The search never imports a runtime.
 */

export interface ScoreRequest {
  context: readonly number[];
  continuation: readonly number[];
}

export interface ScoreResult {
  /** log p(continuation[j] | context, continuation[<j]) for every j. */
  logprobs: ArrayLike<number>;
  /** Whether continuation[j] was the most likely token at its position. */
  isArgmax: readonly boolean[];
}

export interface ModelCallControl {
  signal?: AbortSignal;
  /** Called with the number of tokens each forward pass processed. */
  onTokens?: (tokens: number) => void;
}

export interface ScoreOptions extends ModelCallControl {
  /**
   * Restrict the first continuation position to these token ids: the softmax and the argmax run
   * over this set only (mask_possible_answers, for label tasks).
   */
  firstTokenChoices?: readonly number[];
}

export interface ProposalOptions extends ModelCallControl {
  /** Exactly this many tokens per context; end-of-sequence is suppressed until then. */
  max_new_tokens: number;
  /** Seeds the sampler; row i draws from its own stream, so batching never changes results. */
  seed: number;
  temperature: number;
  top_k: number;
  top_p: number;
  /** Hugging Face's repetition penalty over every token of the context and the output so far. */
  repetition_penalty: number;
  banned_token_ids: readonly number[];
  /** Restrict the first new token to these ids (greedy answers under mask_possible_answers). */
  firstTokenChoices?: readonly number[];
}

export interface SearchLanguageModel {
  /** Token ids of a piece of text, without special tokens. */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Ids of every token whose text contains `fragment` (used to ban newlines from prompts). */
  tokensContaining(fragment: string): number[];
  score(requests: readonly ScoreRequest[], opts?: ScoreOptions): Promise<ScoreResult[]>;
  generate(contexts: readonly (readonly number[])[], opts: ProposalOptions): Promise<number[][]>;
}
