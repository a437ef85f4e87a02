/**
 * A finished run as one plain object (the permalink's SharedRun): what the results view shows,
 * what a link carries and what the history stores. Built from the stores after a run, or read
 * back from a link or the history.
 */
import type { ExplainResult } from '../iprompt/index.ts';
import type { SharedRun } from '../share/permalink.ts';
import { useDataStore } from './state/dataStore.ts';
import { useEngineStore } from './engineStore.ts';
import { useRunStore } from './state/runStore.ts';

export function recordOf(result: ExplainResult): SharedRun {
  const { pairs, name } = useDataStore.getState();
  const { model, source } = useEngineStore.getState();
  const { series } = useRunStore.getState();
  const md = result.metadata;
  const modelRef: SharedRun['model'] =
    source?.kind === 'hub' ? { kind: 'hub', id: source.id } : source?.kind === 'shipped' ? { kind: 'shipped', name: source.name } : { kind: 'files', name: model?.name ?? 'a model from disk' };
  return {
    data: { inputs: pairs?.inputs ?? [], outputs: pairs?.outputs ?? [], ...(name ? { name } : {}) },
    model: modelRef,
    dtype: model?.dtype,
    backend: model?.backend.backend,
    options: { ...md.options },
    result: {
      prompts: md.ranked.map((p) => ({ text: p.text, loss: p.loss, accuracy: p.accuracy, timesScored: p.timesScored })),
      baseline: md.baseline,
      series: series.map((s) => ({ ...s })),
      steps: md.steps,
      stoppedBy: md.stopped_by,
      finishedAt: md.train_end_time,
      seconds: md.train_time_elapsed + md.rank_time_elapsed,
    },
  };
}

export function modelLabel(m: SharedRun['model']): string {
  return m.kind === 'hub' ? m.id : m.name;
}
