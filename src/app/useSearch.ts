/**
 * Runs a search in the worker and feeds the run slice. Events are buffered and applied once per
 * animation frame, so a burst of steps never blocks the page.
 */
import { useCallback, useMemo, useRef } from 'react';
import { EngineError } from '../engine/errors.ts';
import { PRESETS, type IPromptOptionsInput } from '../iprompt/index.ts';
import { useDataStore } from './state/dataStore.ts';
import { EMPTY_RUN, useRunStore, type CandidatePoint, type LineageEntry, type RunState, type StepPoint } from './state/runStore.ts';
import type { SearchStreamEvent, useEngine } from './useEngine.ts';
import { modelLabel, modelRefOf, recordOf } from './runRecord.ts';
import { clearRunInProgress, saveRunInProgress, type RunInProgress } from './history.ts';
import { useEngineStore } from './engineStore.ts';

/** Most candidate points kept for the scatter chart (older steps are thinned beyond this). */
const MAX_POINTS = 6000;
/** Most rows of the candidate stream (the latest step's candidates; the default settings make 60). */
export const MAX_STREAM = 120;

export const lineage = new Map<string, LineageEntry>();

export function resolvedRunOptions(state: Pick<RunState, 'preset' | 'overrides'>): IPromptOptionsInput {
  return { ...PRESETS[state.preset].options, ...state.overrides };
}

export function useSearch(engine: ReturnType<typeof useEngine>) {
  const buffer = useRef<SearchStreamEvent[]>([]);
  /** What a checkpoint is saved with: the run's data, settings and model, fixed when it starts. */
  const context = useRef<Omit<RunInProgress, 'checkpoint' | 'plannedSteps' | 'series' | 'savedAt'> | null>(null);
  const frame = useRef<number | null>(null);

  const flush = useCallback(() => {
    frame.current = null;
    const events = buffer.current;
    buffer.current = [];
    if (events.length === 0) return;
    const s = useRunStore.getState();
    const patch: Partial<RunState> = {};
    let series: StepPoint[] | null = null;
    let points: CandidatePoint[] | null = null;
    for (const e of events) {
      switch (e.type) {
        case 'start':
          patch.sizes = e.sizes;
          break;
        case 'step': {
          series ??= [...s.series];
          points ??= [...s.points];
          const losses = e.candidates.map((c) => c.loss);
          series.push({ step: e.step, bestLoss: e.stepLoss, meanLoss: losses.reduce((a, b) => a + b, 0) / losses.length, bestAccuracy: e.stepAccuracy });
          for (const c of e.candidates) {
            points.push({ step: e.step, loss: c.loss, text: c.text, kind: c.kind });
            const key = c.ids.join(',');
            if (!lineage.has(key)) lineage.set(key, { text: c.text, parent: c.parentIds?.join(','), truncateAt: c.truncateAt, firstStep: e.step, kind: c.kind, loss: c.loss });
          }
          patch.stream = e.candidates.slice(0, MAX_STREAM).map((c) => ({ step: e.step, kind: c.kind, text: c.text, loss: c.loss, accuracy: c.accuracy, ...(c.keptText !== undefined && { kept: c.keptText, truncateAt: c.truncateAt }) }));
          const leader = patch.leader ?? s.leader;
          patch.leader = leader && leader.text === e.best.text ? { ...leader, loss: e.best.meanLoss, accuracy: e.best.meanAccuracy } : { text: e.best.text, since: e.step, loss: e.best.meanLoss, accuracy: e.best.meanAccuracy };
          Object.assign(patch, { step: e.step, epoch: e.epoch, examplesSeen: e.examplesSeen, tokens: e.tokens, tokensPerSecond: e.tokensPerSecond, elapsedMs: e.elapsedMs, top: e.top });
          break;
        }
        case 'paused':
          patch.status = 'paused';
          break;
        case 'resumed':
          patch.status = 'running';
          break;
        case 'ranking':
          patch.status = 'ranking';
          patch.ranking = { done: e.done, total: e.total, phase: e.phase };
          break;
      }
    }
    if (series) patch.series = series;
    if (points) patch.points = points.length > MAX_POINTS ? points.filter((_, i) => i % 2 === 0 || i >= points!.length - MAX_POINTS / 2) : points;
    s.set(patch);
    // The latest checkpoint of this frame, saved with the charts' series so a resumed run shows its past.
    const checkpoint = events.findLast((e) => e.type === 'checkpoint');
    if (checkpoint?.type === 'checkpoint' && context.current) {
      const now = useRunStore.getState();
      void saveRunInProgress({ ...context.current, checkpoint: checkpoint.checkpoint, plannedSteps: now.sizes?.plannedSteps ?? 0, series: now.series, savedAt: new Date().toISOString() }).catch(() => undefined);
    }
  }, []);

  /** Starts a run on the data and settings shown, or resumes one saved before a reload. */
  const start = useCallback(async (resume?: RunInProgress) => {
    const { pairs, name } = useDataStore.getState();
    const run = useRunStore.getState();
    if (!pairs) return;
    lineage.clear();
    run.set({ ...EMPTY_RUN, status: 'running', ...(resume && { series: resume.series, step: resume.checkpoint.step }) });
    const options = resume?.options ?? resolvedRunOptions(run);
    const { source, model } = useEngineStore.getState();
    context.current = source && model ? { inputs: pairs.inputs, outputs: pairs.outputs, name, options, preset: run.preset, overrides: run.overrides, modelLabel: modelLabel(modelRefOf(source, model)) } : null;
    try {
      const result = await engine.explain(
        pairs.inputs,
        pairs.outputs,
        options,
        (e) => {
          buffer.current.push(e);
          frame.current ??= requestAnimationFrame(flush);
        },
        resume?.checkpoint,
      );
      flush();
      context.current = null;
      void clearRunInProgress().catch(() => undefined);
      useRunStore.getState().set({ status: 'done', result, record: recordOf(result), ranking: null });
    } catch (err) {
      flush();
      const e = err instanceof EngineError ? err : new EngineError('INTERNAL', String((err as Error)?.message ?? err));
      useRunStore.getState().set({ status: 'error', error: e.toJSON() });
    }
  }, [engine, flush]);

  const pause = useCallback(() => {
    useRunStore.getState().set({ status: 'pausing' });
    void engine.control('pause');
  }, [engine]);
  const resume = useCallback(() => {
    useRunStore.getState().set({ status: 'running' });
    void engine.control('resume');
  }, [engine]);
  const stop = useCallback(() => {
    useRunStore.getState().set({ status: 'stopping' });
    void engine.control('stop');
  }, [engine]);

  return useMemo(() => ({ start, pause, resume, stop }), [start, pause, resume, stop]);
}
