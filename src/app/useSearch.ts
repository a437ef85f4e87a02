/**
 * Runs a search in the worker and feeds the run slice. Events are buffered and applied once per
 * animation frame, so a burst of steps never blocks the page.
 */
import { useCallback, useMemo, useRef } from 'react';
import { EngineError } from '../engine/errors.ts';
import { PRESETS, type IPromptOptionsInput } from '../iprompt/index.ts';
import { useDataStore } from './state/dataStore.ts';
import { useRunStore, type RunState } from './state/runStore.ts';
import type { SearchStreamEvent } from './state/runEvents.ts';
import type { useEngine } from './useEngine.ts';
import { modelLabel, modelRefOf, recordOf } from './runRecord.ts';
import { clearRunInProgress, saveRunInProgress, type RunInProgress } from './history.ts';
import { useEngineStore } from './engineStore.ts';

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
    useRunStore.getState().applyEvents(events);
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
    run.startRun(resume && { series: resume.series, step: resume.checkpoint.step });
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
      useRunStore.getState().finishRun(result, recordOf(result));
    } catch (err) {
      flush();
      const e = err instanceof EngineError ? err : new EngineError('INTERNAL', String((err as Error)?.message ?? err));
      useRunStore.getState().failRun(e.toJSON());
    }
  }, [engine, flush]);

  const pause = useCallback(() => {
    useRunStore.getState().requestPause();
    void engine.control('pause');
  }, [engine]);
  const resume = useCallback(() => {
    useRunStore.getState().requestResume();
    void engine.control('resume');
  }, [engine]);
  const stop = useCallback(() => {
    useRunStore.getState().requestStop();
    void engine.control('stop');
  }, [engine]);

  return useMemo(() => ({ start, pause, resume, stop }), [start, pause, resume, stop]);
}
