/**
 * Run control: a running search that can be paused, resumed and stopped between steps, and a
 * second stop that cuts the final ranking short. The search (search.ts) calls gate() before
 * each step; everything here is about when, never about what is computed.
 */
import type { ExplainResult, SearchCheckpoint, SearchEvent } from './types.ts';

export interface SearchHooks {
  onEvent?: (event: SearchEvent) => void;
  /** Aborts at once (the run rejects); stop() instead ends it cleanly with a ranking. */
  signal?: AbortSignal;
  /** A person's own descriptions, scored beside the found explanations (metadata.descriptions). */
  descriptions?: readonly string[];
  /** Emit a 'checkpoint' event after every step. */
  checkpoints?: boolean;
  /** Continue a run from a checkpoint it emitted (same model, data and options). */
  resumeFrom?: SearchCheckpoint;
}

export type RunState = 'running' | 'pausing' | 'paused' | 'stopping' | 'ranking' | 'done' | 'failed';

/** A running search: pause, resume and stop take effect between steps. */
export class SearchRun {
  readonly result: Promise<ExplainResult>;
  private _state: RunState = 'running';
  private wake: (() => void) | null = null;
  private stopRequested = false;
  /** @internal stop() calls that arrived during the final ranking. */
  stopsDuringRanking = 0;

  /** `start` runs the search, calling back into this handle between steps. */
  constructor(start: (handle: SearchRun) => Promise<ExplainResult>) {
    this.result = start(this).then(
      (r) => {
        this._state = 'done';
        return r;
      },
      (err) => {
        this._state = 'failed';
        throw err;
      },
    );
  }

  get state(): RunState {
    return this._state;
  }

  pause(): void {
    if (this._state === 'running') this._state = 'pausing';
  }

  resume(): void {
    if (this._state === 'pausing') this._state = 'running';
    if (this._state === 'paused') {
      this._state = 'running';
      this.wake!();
    }
  }

  /** Ends the search after the current step; the final ranking still runs (stop again to cut it short). */
  stop(): void {
    if (this._state === 'ranking') this.stopsDuringRanking++;
    this.stopRequested = true;
    this.wake?.(); // set only while paused
    if (this._state !== 'done' && this._state !== 'failed') this._state = this._state === 'ranking' ? 'ranking' : 'stopping';
  }

  /** @internal */
  get shouldStop(): boolean {
    return this.stopRequested;
  }

  /** @internal Called by the search before each step; resolves when it may go on. */
  async gate(onPaused: () => void, onResumed: () => void): Promise<void> {
    if (this._state !== 'pausing' || this.stopRequested) return;
    this._state = 'paused';
    // The waker exists before anyone hears of the pause, so a resume or stop from inside the
    // 'paused' event itself is not lost.
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    onPaused();
    await woken;
    this.wake = null;
    if (!this.stopRequested) onResumed();
  }

  /** @internal */
  setRanking(): void {
    this._state = 'ranking';
  }
}
