/**
 * A finished run as one plain object (the permalink's SharedRun): what the results view shows,
 * what a link carries and what the history stores. Built from the stores after a run, or read
 * back from a link or the history.
 */
import type { Explanation, ExplainResult } from '../iprompt/index.ts';
import type { SharedExplanation, SharedRun } from '../share/permalink.ts';
import { useDataStore } from './state/dataStore.ts';
import { useEngineStore, type EngineState } from './engineStore.ts';
import { useRunStore } from './state/runStore.ts';
import { isServer } from '../worker/protocol.ts';

export function recordOf(result: ExplainResult): SharedRun {
  const { pairs, name } = useDataStore.getState();
  const { model, source } = useEngineStore.getState();
  const { series } = useRunStore.getState();
  const md = result.metadata;
  const modelRef = modelRefOf(source, model);
  return {
    data: { inputs: pairs?.inputs ?? [], outputs: pairs?.outputs ?? [], ...(name ? { name } : {}) },
    model: modelRef,
    ...(model && !isServer(model) ? { dtype: model.dtype, backend: model.backend.backend } : model ? { backend: 'vllm-server' } : {}),
    options: { ...md.options },
    result: {
      prompts: md.ranked.map((p) => ({ text: p.text, loss: p.loss, accuracy: p.accuracy, timesScored: p.timesScored })),
      baseline: md.baseline,
      explanations: md.explanations.map(sharedExplanation),
      descriptions: md.descriptions.map(sharedExplanation),
      ...(md.evidence && { evidence: md.evidence }),
      ...(md.verdict && { verdict: md.verdict }),
      series: series.map((s) => ({ ...s })),
      steps: md.steps,
      stoppedBy: md.stopped_by,
      finishedAt: md.train_end_time,
      seconds: md.train_time_elapsed + md.rank_time_elapsed,
    },
  };
}

/** An explanation as a record keeps it: without token ids, which belong to one tokenizer. */
export function sharedExplanation({ ids: _ids, variants, ...e }: Explanation): SharedExplanation {
  return { ...e, variants: variants.map(({ ids: _v, ...v }) => v) };
}

/** How a record names the loaded model: its hub id, its shipped name, its folder's name, or a server's model name (never its address). */
export function modelRefOf(source: EngineState['source'], model: EngineState['model']): SharedRun['model'] {
  if (model && isServer(model)) return { kind: 'server', name: model.name };
  return source?.kind === 'hub' ? { kind: 'hub', id: source.id } : source?.kind === 'shipped' ? { kind: 'shipped', name: source.name } : { kind: 'files', name: model?.name ?? 'a model from disk' };
}

export function modelLabel(m: SharedRun['model']): string {
  return m.kind === 'hub' ? m.id : m.kind === 'server' ? `${m.name} (on a server)` : m.name;
}
