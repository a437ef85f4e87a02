/**
 * The run slice: the run spec (preset, options) and what a run produced, step by step, for the
 * charts, the pool and the lineage tree, then the final result. Written only through the named
 * actions below; components read it through narrow selectors, so a step re-renders only what
 * shows the step.
 */
import { create } from 'zustand';
import type { SerializedEngineError } from '../../engine/errors.ts';
import type { DatasetSizes, ExplainResult, IPromptOptions, IPromptOptionsInput, PoolSnapshot, PresetName, RankingPhase } from '../../iprompt/index.ts';
import type { SharedRun } from '../../share/permalink.ts';
import { reduceSearchEvents, type SearchStreamEvent } from './runEvents.ts';

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

export interface RunData {
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
  /**
   * Tokens per second the last run here measured, kept once it ends (the settings' time estimate
   * reads this, not the live figure, so a step does not re-render the settings).
   */
  measuredSpeed: number | null;
  /** Every prompt seen in this run, by its token ids joined with commas: where it first appeared and from which parent. */
  lineage: ReadonlyMap<string, LineageEntry>;
}

export interface RunActions {
  choosePreset: (preset: PresetName) => void;
  /** One advanced option on top of the preset; `undefined` goes back to the preset's value. */
  setOption: (key: keyof IPromptOptions, value: IPromptOptionsInput[keyof IPromptOptionsInput] | undefined) => void;
  /** Restores the settings a saved run was made with (before resuming it). */
  restoreSettings: (preset: PresetName, overrides: IPromptOptionsInput) => void;
  /** Clears the last run; a resumed run starts with its saved curve and step. */
  startRun: (resumed?: { series: StepPoint[]; step: number }) => void;
  /** A burst of search events (the worker's, gathered over one animation frame). */
  applyEvents: (events: readonly SearchStreamEvent[]) => void;
  requestPause: () => void;
  requestResume: () => void;
  requestStop: () => void;
  finishRun: (result: ExplainResult, record: SharedRun) => void;
  failRun: (error: SerializedEngineError) => void;
  /** Shows a finished run from a link or the history, with its settings ready to run again. */
  openRecord: (record: SharedRun, from: 'permalink' | 'history', note: string | null, historyId: number | null) => void;
  /** The history saved `record` as entry `id` (ignored if another run is shown by now). */
  linkHistory: (record: SharedRun, id: number) => void;
  /** Replaces the shown record by `next` (a scored description added) if `current` is still the one shown. */
  updateRecord: (current: SharedRun, next: SharedRun) => boolean;
  /** Selects a pool prompt for its lineage, or clears the selection. */
  selectPrompt: (key: string | null) => void;
}

export type RunState = RunData & RunActions;

export const EMPTY_RUN: Omit<RunData, 'preset' | 'overrides' | 'measuredSpeed'> = {
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
  // Never changed in place (the events reducer copies it), so one empty map serves every reset.
  lineage: new Map(),
};

export const useRunStore = create<RunState>((set, get) => {
  // A run that ends (finished or failed) keeps its speed for the next estimate; one that measured none keeps the last.
  const lastSpeed = () => get().tokensPerSecond || get().measuredSpeed;
  return {
    preset: 'quick',
    overrides: {},
    measuredSpeed: null,
    ...EMPTY_RUN,
    choosePreset: (preset) => set({ preset, overrides: {} }),
    setOption: (key, value) => {
      const overrides: Record<string, unknown> = { ...get().overrides, [key]: value };
      if (value === undefined) delete overrides[key];
      set({ overrides: overrides as IPromptOptionsInput });
    },
    restoreSettings: (preset, overrides) => set({ preset, overrides }),
    startRun: (resumed) => set({ ...EMPTY_RUN, status: 'running', ...(resumed && { series: resumed.series, step: resumed.step }) }),
    applyEvents: (events) => set(reduceSearchEvents(get(), events)),
    requestPause: () => set({ status: 'pausing' }),
    requestResume: () => set({ status: 'running' }),
    requestStop: () => set({ status: 'stopping' }),
    finishRun: (result, record) => set({ status: 'done', result, record, ranking: null, measuredSpeed: lastSpeed() }),
    failRun: (error) => set({ status: 'error', error, measuredSpeed: lastSpeed() }),
    openRecord: (record, from, note, historyId) =>
      set({ ...EMPTY_RUN, status: 'done', record, series: record.result?.series ?? [], preset: 'default', overrides: { ...record.options }, opened: { from, note }, historyId }),
    linkHistory: (record, id) => {
      if (get().record === record) set({ historyId: id });
    },
    updateRecord: (current, next) => {
      if (get().record !== current) return false;
      set({ record: next });
      return true;
    },
    selectPrompt: (selected) => set({ selected }),
  };
});
