/**
 * A run interrupted by a reload or a crash: offered again when the page opens, to resume from its
 * last saved step (the search continues exactly where it was) or to discard.
 */
import { useEffect, useState } from 'react';
import { useEngineStore } from './engineStore.ts';
import { clearRunInProgress, loadRunInProgress, type RunInProgress } from './history.ts';
import { modelLabel, modelRefOf } from './runRecord.ts';
import { useDataStore } from './state/dataStore.ts';
import { useRunStore } from './state/runStore.ts';
import type { useSearch } from './useSearch.ts';
import { countRender } from './renderCount.ts';

export function ResumeBanner({ search }: { search: ReturnType<typeof useSearch> }) {
  countRender('ResumeBanner');
  const [saved, setSaved] = useState<RunInProgress | null>(null);
  const status = useRunStore((s) => s.status);
  const engineStatus = useEngineStore((s) => s.status);
  const source = useEngineStore((s) => s.source);
  const model = useEngineStore((s) => s.model);
  useEffect(() => {
    void loadRunInProgress().then((r) => r && setSaved(r), () => undefined);
  }, []);
  if (!saved || status !== 'idle') return null;
  const wanted = saved.modelLabel;
  const loaded = model ? modelLabel(modelRefOf(source, model)) : null;
  const sameModel = loaded === wanted;

  const resume = () => {
    useDataStore.getState().loadPairs({ inputs: saved.inputs, outputs: saved.outputs }, saved.name, null);
    useRunStore.getState().restoreSettings(saved.preset, saved.overrides);
    setSaved(null);
    void search.start(saved);
  };
  const discard = () => {
    setSaved(null);
    void clearRunInProgress().catch(() => undefined);
  };
  return (
    <div className="note" data-testid="resume-banner" role="status">
      A run was interrupted at step {saved.checkpoint.step}
      {saved.plannedSteps ? ` of ${saved.plannedSteps}` : ''} ({saved.name || 'data'}, {saved.inputs.length.toLocaleString()} rows, {wanted}, saved {new Date(saved.savedAt).toLocaleString()}). Resuming continues it exactly where it
      was.{' '}
      <button data-testid="resume-run" disabled={engineStatus !== 'ready' || !sameModel} onClick={resume}>
        Resume
      </button>{' '}
      <button data-testid="discard-run" onClick={discard}>
        Discard
      </button>
      {engineStatus === 'ready' && !sameModel && <span className="hint"> Load {wanted} to resume it (the loaded model is {loaded ?? 'none'}).</span>}
    </div>
  );
}
