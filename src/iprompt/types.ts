/**
 * What the search reports: its events, step by step, and its result (imodelsx's
 * `(prompts, metadata)` shape, with our additions marked).
 */
import type { Evidence, Explanation, Verdict } from './explanations.ts';
import type { IPromptOptions } from './options.ts';
import type { Origin, PoolRecord } from './pool.ts';
import type { Interval } from './stats.ts';

export type CandidateKind = 'population' | 'proposal' | 'mutation';

export interface ScoredCandidate {
  ids: number[];
  text: string;
  kind: CandidateKind;
  /** For mutations: the prompt it was cut from (text and ids), and how many of its tokens were kept. */
  parent?: string;
  parentIds?: number[];
  truncateAt?: number;
  /** For mutations: the text of the kept tokens (the rest of `text` was regenerated). */
  keptText?: string;
  loss: number;
  accuracy: number;
}

export interface PoolSnapshot {
  text: string;
  ids: number[];
  meanLoss: number;
  meanAccuracy: number;
  timesScored: number;
  firstStep: number;
  origin: Origin;
  /** The parent's text, for mutations. */
  parentText?: string;
}

export interface RankedPrompt {
  text: string;
  ids: number[];
  /** Held-out mean output NLL (or the running mean when there was no final ranking). */
  loss: number;
  /** Held-out exact-match accuracy (or the running mean). */
  accuracy: number;
  /** Batches it was scored on during the search. */
  timesScored: number;
  trainLoss: number;
  trainAccuracy: number;
  firstStep: number;
  origin: Origin;
}

export interface Baseline {
  /** Mean output NLL and exact-match accuracy of the empty prompt (`. input` with prefix_before_input), on the same examples as the ranking. */
  loss: number;
  accuracy: number;
  examples: number;
  /** 95% bootstrap intervals over those examples (absent in results saved before they existed). */
  lossInterval?: Interval;
  accuracyInterval?: Interval;
}

export interface DatasetSizes {
  examples: number;
  trainExamples: number;
  heldOutExamples: number;
  /**
   * Held-out examples left out of the final ranking because, with mask_possible_answers, their
   * output starts with a token no training output starts with (they could never be answered).
   */
  heldOutUnanswerable: number;
  rows: number;
  batchesPerEpoch: number;
  plannedSteps: number;
  candidatesPerStep: number;
}

export type StopReason = 'n_epochs' | 'max_n_datapoints' | 'max_n_steps' | 'early_stopping' | 'stopped';

export interface StepEvent {
  type: 'step';
  step: number;
  epoch: number;
  examplesSeen: number;
  plannedSteps: number;
  /** The one truncation position of this step's mutations. */
  truncateAt: number;
  candidates: ScoredCandidate[];
  /** The pool's best prompts by pop_criterion, with running means and counts. */
  top: PoolSnapshot[];
  best: PoolSnapshot;
  /** Lowest candidate loss and highest candidate accuracy of this step. */
  stepLoss: number;
  stepAccuracy: number;
  poolSize: number;
  tokens: number;
  elapsedMs: number;
  tokensPerSecond: number;
  /** Steps with an unchanged top five (early stopping), when it is on (early_stopping_steps other than -1). */
  unchangedSteps: number;
}

export type SearchEvent =
  | { type: 'start'; options: IPromptOptions; sizes: DatasetSizes }
  | StepEvent
  /** With hooks.checkpoints: after every step, everything needed to continue the run from there (hooks.resumeFrom). */
  | { type: 'checkpoint'; checkpoint: SearchCheckpoint }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  /** The final ranking ('rerank'), then cleaning the wording ('clean') and the greedy answers for the evidence ('evidence'). */
  | { type: 'ranking'; done: number; total: number; phase: RankingPhase }
  | { type: 'done'; result: ExplainResult };

/**
 * A run's state after a step, as plain data (JSON-safe): resuming from it with the same model,
 * data and options gives the result an uninterrupted run gives.
 */
export interface SearchCheckpoint {
  version: 1;
  seed: number;
  /** Examples the run was given (a checkpoint resumes only on the same data). */
  examples: number;
  step: number;
  seen: number;
  epoch: number;
  /** This epoch's batch order, and the index of the next batch in it. */
  batches: number[][];
  nextBatch: number;
  /** The search's random stream, where it is. */
  rng: number;
  pool: PoolRecord[];
  allLosses: number[];
  allNCorrect: number[];
  /** Early stopping's memory: the last top five, and for how many steps it has held. */
  lastTop: string | null;
  unchanged: number;
  tokens: number;
  activeMs: number;
  startTime: string;
}

export type RankingPhase = 'rerank' | 'clean' | 'evidence';

export interface ExplainMetadata {
  /** The ranked prompts with their scores, aligned with `prompts`. */
  ranked: RankedPrompt[];
  prefixes: string[];
  prefix_ids: number[][];
  prefix_train_loss: number[];
  prefix_train_acc: number[];
  prefix_n_queries: number[];
  /** Held-out loss and accuracy (null without a final ranking). */
  prefix_test_loss: number[] | null;
  prefix_test_acc: number[] | null;
  baseline: Baseline | null;
  /**
   * Ours: the explanations as a person should read them, best first: the top n_explanations
   * prompts with their wording cleaned and duplicates merged (clean_explanations), each with 95%
   * intervals, whether it is indistinguishable from the best, and per-example results.
   */
  explanations: Explanation[];
  /** Ours: descriptions a person asked to have scored, with the same figures. */
  descriptions: Explanation[];
  /** Ours: the evaluation examples, the no-prompt baseline on each, and the bootstrap seed. */
  evidence: Evidence | null;
  /** Ours: whether anything explains the data, in one sentence. */
  verdict: Verdict | null;
  /** Per step: the lowest candidate loss and the highest number of correct rows. */
  all_losses: number[];
  all_n_correct: number[];
  options: IPromptOptions;
  sizes: DatasetSizes;
  steps: number;
  stopped_by: StopReason;
  ranking: 'held_out' | 'running_means' | 'partial';
  pool_size: number;
  tokens: number;
  pre_data_prompt_str: string;
  post_data_prompt_str: string;
  train_start_time: string;
  train_end_time: string;
  /** Seconds searching (pauses excluded), then ranking. */
  train_time_elapsed: number;
  rank_time_elapsed: number;
}

export interface ExplainResult {
  /** Best first: the explanations' texts (cleaned and merged); with clean_explanations off, every ranked prompt as found, as the reference returns them. */
  prompts: string[];
  metadata: ExplainMetadata;
}

