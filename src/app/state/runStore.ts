/**
 * The run slice: the run spec (preset, options, seed) and what a run produced, step by step, for
 * the charts and the pool table, then the final result. Written only by useSearch.
 */
import { create } from 'zustand';
import type { SerializedEngineError } from '../../engine/errors.ts';
import type { DatasetSizes, ExplainResult, IPromptOptionsInput, PoolSnapshot, PresetName, RankingPhase } from '../../iprompt/index.ts';
import type { SharedRun } from '../../share/permalink.ts';

export type RunStatus = 'idle' | 'running' | 'pausing' | 'paused' | 'stopping' | 'ranking' | 'done' | 'error';

export interface StepPoint {
  step: number;
  bestLoss: number;
  meanLoss: number;
  bestAccuracy: number;
}

export interface CandidatePoint {
  step: number;
  loss: number;
  text: string;
  kind: string;
}

/** One candidate of the latest steps, as the candidate stream shows it. */
export interface StreamRow {
  step: number;
  kind: string;
  text: string;
  /** For mutations: the kept start of `text`; the rest was regenerated. */
  kept?: string;
  truncateAt?: number;
  loss: number;
  accuracy: number;
}

/** How a prompt came to be: for the lineage view. */
export interface LineageEntry {
  text: string;
  parent?: string;
  truncateAt?: number;
  firstStep: number;
  kind: string;
  /** Its loss on the batch it was first scored on. */
  loss: number;
}

export interface RunState {
  preset: PresetName;
  /** Options set in the advanced panel, on top of the preset. */
  overrides: IPromptOptionsInput;
  status: RunStatus;
  sizes: DatasetSizes | null;
  step: number;
  epoch: number;
  examplesSeen: number;
  tokens: number;
  tokensPerSecond: number;
  elapsedMs: number;
  series: StepPoint[];
  points: CandidatePoint[];
  /** The latest step's candidates, newest first (bounded: one step's worth). */
  stream: StreamRow[];
  top: PoolSnapshot[];
  ranking: { done: number; total: number; phase: RankingPhase } | null;
  /** The full result of a run made here (for export). */
  result: ExplainResult | null;
  /** What the results view shows: a run made here, or one opened from a link or the history. */
  record: SharedRun | null;
  error: SerializedEngineError | null;
  selected: string | null;
  /** Set when the shown result came from a permalink or the history rather than a run here. */
  opened: { from: 'permalink' | 'history'; note: string | null } | null;
  /** The pool's best prompt while a run goes, and the step since which it has led. */
  leader: { text: string; since: number; loss: number; accuracy: number } | null;
  /** The history entry that holds `record`, so later additions (a scored description) are saved with it. */
  historyId: number | null;
  set: (patch: Partial<Omit<RunState, 'set'>>) => void;
}

export const EMPTY_RUN = {
  status: 'idle' as RunStatus,
  sizes: null,
  step: 0,
  epoch: 0,
  examplesSeen: 0,
  tokens: 0,
  tokensPerSecond: 0,
  elapsedMs: 0,
  series: [],
  points: [],
  stream: [],
  top: [],
  ranking: null,
  result: null,
  record: null,
  error: null,
  selected: null,
  opened: null,
  leader: null,
  historyId: null,
};

export const useRunStore = create<RunState>((set) => ({
  preset: 'quick',
  overrides: {},
  ...EMPTY_RUN,
  set: (patch) => set(patch),
}));
