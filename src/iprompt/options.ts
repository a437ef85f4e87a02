/**
 * The search's options, under the names and with the defaults of imodelsx's
 * `explain_dataset_iprompt` (reference section 1.1). Where our default differs, DEVIATIONS says
 * why; docs/iprompt.md renders the same table.
 */

export type PopCriterion = 'loss' | 'acc' | 'combined';
export type PopTopkStrategy = 'different_start_token' | 'all';

export interface IPromptOptions {
  /** Prompt length in tokens, fixed. */
  num_learned_tokens: number;
  /** P: population size, drawn from the pool's top P + 4 each step. */
  pop_size: number;
  /** How the pool ranks prompts: mean loss; mean accuracy; or accuracy (2 decimals) then loss. */
  pop_criterion: PopCriterion;
  /** Top-k over the best prompt per distinct first token (diversity), or over all prompts. */
  pop_topk_strategy: PopTopkStrategy;
  /** M: mutated copies of each population member and fresh proposal per step. */
  num_mutations: number;
  /** true: `prompt. input output`; false: `input prompt output`. */
  prefix_before_input: boolean;
  /** Re-score the pool's best prompts on held-out examples at the end and rank by accuracy, then loss. */
  do_final_reranking: boolean;
  /** R: fresh proposals from the data each step. */
  num_random_generations: number;
  generation_repetition_penalty: number;
  generation_temp: number;
  generation_top_p: number;
  /** Hugging Face's default top-k, which the reference leaves active. */
  generation_top_k: number;
  /** Stop after this many steps with an unchanged top five; -1 never stops early (0, or another negative value, stops after the first step, as in the reference). */
  early_stopping_steps: number;
  /** B: examples per step; every candidate is scored on the same B examples. */
  batch_size: number;
  /** Token limit for each input, output and data row (longer ones are cut). */
  max_length: number;
  n_epochs: number;
  /** Examples per proposal context; with single_shot_loss only the last one is scored. */
  n_shots: number;
  /** Fixed text after "Prompt:" when proposing, and before the prompt when scoring. */
  preprefix: string;
  single_shot_loss: boolean;
  /** Stop once more examples than this have been processed (and, with n_shots > 1, the number of n-shot rows built). */
  max_n_datapoints: number;
  /** Stop once the step count exceeds this. */
  max_n_steps: number;
  /** Restrict the first output token to those seen in the outputs (label tasks). */
  mask_possible_answers: boolean;
  llm_candidate_regeneration_prompt_start: string;
  llm_candidate_regeneration_prompt_end: string;
  /** Drives every random choice. */
  seed: number;
  verbose: number;

  // Our additions for the final ranking (the reference hard-codes these).
  /** How many of the pool's best prompts (by mean loss) the final ranking re-scores. */
  final_rerank_top_k: number;
  /** Only prompts scored on at least this many batches enter the final ranking. */
  final_rerank_min_batches: number;
  /** Share of the examples held out for the final ranking and the baseline. */
  held_out_fraction: number;
  /** Most held-out examples. */
  n_eval: number;
  /** How many of the ranking's best prompts become explanations (cleaned, merged, with intervals and evidence). */
  n_explanations: number;
  /** Cut each explanation to its shortest word-boundary wording that scores no worse (beyond clean_tolerance) and merge equal wordings; false keeps the prompts as found (the reference). */
  clean_explanations: boolean;
  /** How much higher (nats per output token) the loss of a wording that drops only a tail after the sentence's end may be than the prompt as found; words inside the sentence are dropped only when that lowers the loss by more than this. */
  clean_tolerance: number;

  // Accepted for compatibility; as in the reference they do nothing in iPrompt.
  lr: number;
  gamma: number;
  accum_grad_over_epoch: boolean;
}

/** The reference's defaults, except where DEVIATIONS says otherwise. */
export const DEFAULT_OPTIONS: Readonly<IPromptOptions> = Object.freeze({
  num_learned_tokens: 6,
  pop_size: 8,
  pop_criterion: 'loss',
  pop_topk_strategy: 'different_start_token',
  num_mutations: 4,
  prefix_before_input: true,
  do_final_reranking: true,
  num_random_generations: 4,
  generation_repetition_penalty: 2.0,
  generation_temp: 1.0,
  generation_top_p: 1.0,
  generation_top_k: 50,
  early_stopping_steps: -1,
  batch_size: 64,
  max_length: 128,
  n_epochs: 100,
  n_shots: 1,
  preprefix: '',
  single_shot_loss: true,
  max_n_datapoints: 1000,
  max_n_steps: 10 ** 4,
  mask_possible_answers: false,
  llm_candidate_regeneration_prompt_start: 'Data:',
  llm_candidate_regeneration_prompt_end: 'Prompt:',
  seed: 42,
  verbose: 0,
  final_rerank_top_k: 64,
  final_rerank_min_batches: 2,
  held_out_fraction: 0.25,
  n_eval: 256,
  n_explanations: 10,
  clean_explanations: true,
  clean_tolerance: 0.01,
  lr: 0.01,
  gamma: 0.0,
  accum_grad_over_epoch: false,
} satisfies IPromptOptions);

export interface Deviation {
  option: string;
  reference: string;
  ours: string;
  why: string;
}

/** Every place our port differs from imodelsx HEAD, for the docs and the command line's --help. */
export const DEVIATIONS: readonly Deviation[] = [
  { option: 'num_learned_tokens', reference: '1', ours: '6', why: 'the paper and the reference demo use 6; one token cannot say anything' },
  { option: 'do_final_reranking', reference: 'false (rank every prompt by its noisy running accuracy)', ours: 'true', why: "the paper's runs always re-ranked; a prompt scored on one lucky batch no longer comes first" },
  { option: 'max_n_datapoints', reference: '10000', ours: '1000', why: "the reference's own demo notebook uses 1000; 10000 keeps a laptop CPU busy for over half an hour on 100 examples. Raise it for a longer search" },
  { option: 'final ranking set', reference: 'top 64 scored on > 3 batches, re-scored on the first 256 training rows', ours: 'top final_rerank_top_k (64) by mean loss scored on >= final_rerank_min_batches (2) batches, re-scored on a held-out split (held_out_fraction 0.25, at most n_eval 256) never used in the search', why: 'the paper held out 25%; scoring on training rows rewards overfitting' },
  { option: 'final ranking loss', reference: 'sum of per-batch mean losses', ours: 'mean NLL over all held-out output tokens', why: 'the same order for one batch, and comparable across sizes' },
  { option: 'padding', reference: 'right-padded input then output, pads in between (shifted positions)', ours: 'each sequence built without interior padding; batches are left-padded with correct positions (right-padded for exports with fused GroupQueryAttention, which assumes it)', why: 'quirk 1 of section 2.10: the pads changed what the model saw' },
  { option: 'top-k per start token', reference: "keeps a stale best-per-first-token score when that prompt's mean later gets worse", ours: 'best per first token from the current means', why: 'quirk 4: a prompt that turned out bad no longer blocks its first token' },
  { option: "pop_criterion 'acc'", reference: '(-accuracy, 2): ties broken by token ids', ours: '(-accuracy, loss)', why: 'the constant 2 is a typo; ties go to the lower loss' },
  { option: 'ties', reference: 'token-id tuples (heapq) or pandas quicksort (unstable)', ours: 'loss, then first seen', why: 'deterministic order' },
  { option: 'mask_possible_answers', reference: 'first tokens of the outputs allowed at every output position', ours: 'applied to the first output position only', why: 'quirk 3: at later positions it made multi-token outputs impossible' },
  { option: 'initial population', reference: 'one proposal per generate call until P distinct', ours: 'batched proposals until P distinct (at most 10 rounds)', why: 'same distribution, fewer passes; the cap ends a model that repeats itself' },
  { option: 'no-prompt baseline', reference: 'not computed', ours: 'held-out loss and accuracy of the empty prompt (the scoring template with no prompt tokens)', why: 'shows what the explanation adds' },
  { option: 'clean_explanations', reference: 'not done (prompts as found, with their fixed-length tails)', ours: 'true: the top n_explanations prompts cut to their shortest word-boundary wording that scores no worse on the held-out examples (a tail after the sentence may cost up to clean_tolerance; words inside it go only if that lowers the loss by more), equal wordings merged in the ranking order; the prompts as found stay in metadata.ranked', why: "the tail of a fixed-length prompt is left to chance (' Compute a + b.arts')" },
  { option: 'mask_possible_answers (held-out)', reference: 'no held-out split', ours: 'allowed first tokens from the training outputs only; held-out examples whose output starts otherwise leave the ranking (sizes.heldOutUnanswerable)', why: "the held-out outputs' first tokens would leak their labels into the ranking" },
  { option: 'newline ban', reference: "tokens '\\n', '\\n\\n', '\\n\\n\\n'", ours: 'every token whose text contains a newline', why: 'a byte-level BPE also has merged tokens such as \".\\n\\n\"' },
];

/** One line per option, for --help and the app's settings panel. */
export const OPTION_DOCS: Readonly<Record<keyof IPromptOptions, string>> = {
  num_learned_tokens: 'Prompt length in tokens (every prompt has exactly this many).',
  pop_size: 'Prompts kept from the pool each step (drawn from its best pop_size + 4).',
  pop_criterion: "How the pool ranks prompts: 'loss' (mean loss), 'acc' (mean accuracy) or 'combined' (accuracy, then loss).",
  pop_topk_strategy: "'different_start_token': the pool's best per first token (diverse); 'all': the plain best.",
  num_mutations: 'Mutated copies of each kept prompt and fresh proposal per step (cut at one point, the rest resampled).',
  prefix_before_input: 'Put the prompt before the input (prompt. input output); false puts it between input and output.',
  do_final_reranking: 'Re-score the best prompts on held-out examples at the end and rank by accuracy, then loss.',
  num_random_generations: 'Fresh proposals from the data each step.',
  generation_repetition_penalty: 'Penalty on tokens already in the proposal context (2.0 discourages copying the data).',
  generation_temp: 'Sampling temperature of proposals.',
  generation_top_p: 'Nucleus sampling threshold of proposals (1 = off).',
  generation_top_k: 'Sample proposals from the k most likely tokens (0 = off).',
  early_stopping_steps: 'Stop after this many steps with the same top five prompts (-1 = never; 0 stops after the first step).',
  batch_size: 'Examples each step scores every candidate on.',
  max_length: 'Token limit for each input, output and data row.',
  n_epochs: 'Passes over the data.',
  n_shots: 'Examples shown together in each proposal context (only the last is scored).',
  preprefix: "Fixed text after 'Prompt:' when proposing and before the prompt when scoring.",
  single_shot_loss: 'With n_shots > 1, score only the last example of each row.',
  max_n_datapoints: 'Stop once more examples than this have been processed (also the number of n-shot rows).',
  max_n_steps: 'Stop once the step count exceeds this.',
  mask_possible_answers: "Restrict the first output token to those seen in the outputs (label tasks).",
  llm_candidate_regeneration_prompt_start: "Text before the examples in the proposal context.",
  llm_candidate_regeneration_prompt_end: "Text after the examples in the proposal context.",
  seed: 'Seed of every random choice: the same seed, model and backend give the same prompts.',
  verbose: 'Verbosity (the command line prints progress either way).',
  final_rerank_top_k: 'Prompts (best by mean loss) re-scored in the final ranking.',
  final_rerank_min_batches: 'Only prompts scored on at least this many batches enter the final ranking.',
  held_out_fraction: 'Share of the examples held out for the final ranking and the no-prompt baseline.',
  n_eval: 'Most held-out examples.',
  n_explanations: "How many of the ranking's best prompts become explanations (cleaned, merged, with 95% intervals and per-example evidence).",
  clean_explanations: 'Cut each explanation to its shortest wording on a word boundary that scores no worse (within clean_tolerance), and merge equal wordings; false keeps prompts as found.',
  clean_tolerance: "How much higher (nats per output token) the held-out loss of a wording that drops only a tail after the sentence's end may be than the prompt's as found (words inside the sentence go only if that lowers the loss by more).",
  lr: 'Unused by iPrompt (kept for compatibility).',
  gamma: 'Unused by iPrompt (kept for compatibility).',
  accum_grad_over_epoch: 'Unused by iPrompt (kept for compatibility).',
};

/** Options a caller may pass: any subset, plus unknown keys are rejected. */
export type IPromptOptionsInput = Partial<IPromptOptions>;

export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

/** Defaults filled in and every value checked; a bad value names the option and what it takes. */
export function resolveOptions(input: IPromptOptionsInput = {}): IPromptOptions {
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_OPTIONS)) throw new OptionsError(`Unknown option '${key}'. Options: ${Object.keys(DEFAULT_OPTIONS).join(', ')}`);
  }
  const o: IPromptOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(input) };
  const positiveInt = ['num_learned_tokens', 'pop_size', 'batch_size', 'max_length', 'n_epochs', 'n_shots', 'final_rerank_top_k', 'final_rerank_min_batches', 'n_eval', 'n_explanations'] as const;
  for (const k of positiveInt) if (!Number.isInteger(o[k]) || o[k] < 1) throw new OptionsError(`${k} must be a whole number of at least 1, got ${o[k]}`);
  const nonNegInt = ['num_mutations', 'num_random_generations', 'max_n_datapoints', 'max_n_steps'] as const;
  for (const k of nonNegInt) if (!Number.isInteger(o[k]) || o[k] < 0) throw new OptionsError(`${k} must be a whole number of at least 0, got ${o[k]}`);
  if (!Number.isInteger(o.early_stopping_steps)) throw new OptionsError(`early_stopping_steps must be a whole number, got ${o.early_stopping_steps}`);
  if (!Number.isSafeInteger(o.seed)) throw new OptionsError(`seed must be a whole number, got ${o.seed}`);
  if (!(o.generation_temp > 0)) throw new OptionsError(`generation_temp must be above 0, got ${o.generation_temp}`);
  if (!(o.generation_top_p > 0 && o.generation_top_p <= 1)) throw new OptionsError(`generation_top_p must be in (0, 1], got ${o.generation_top_p}`);
  if (!Number.isInteger(o.generation_top_k) || o.generation_top_k < 0) throw new OptionsError(`generation_top_k must be a whole number of at least 0 (0 = off), got ${o.generation_top_k}`);
  if (!(o.generation_repetition_penalty > 0)) throw new OptionsError(`generation_repetition_penalty must be above 0, got ${o.generation_repetition_penalty}`);
  if (!(o.clean_tolerance >= 0 && Number.isFinite(o.clean_tolerance))) throw new OptionsError(`clean_tolerance must be a number of at least 0, got ${o.clean_tolerance}`);
  if (typeof o.clean_explanations !== 'boolean') throw new OptionsError(`clean_explanations must be true or false, got ${JSON.stringify(o.clean_explanations)}`);
  if (!(o.held_out_fraction >= 0 && o.held_out_fraction < 1)) throw new OptionsError(`held_out_fraction must be in [0, 1), got ${o.held_out_fraction}`);
  if (!['loss', 'acc', 'combined'].includes(o.pop_criterion)) throw new OptionsError(`pop_criterion must be 'loss', 'acc' or 'combined', got '${o.pop_criterion}'`);
  if (!['different_start_token', 'all'].includes(o.pop_topk_strategy)) throw new OptionsError(`pop_topk_strategy must be 'different_start_token' or 'all', got '${o.pop_topk_strategy}'`);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
