/**
 * While a run goes the screen is the run: the best prompt so far in large type, how long it has
 * led, the controls and progress, the pool and the charts side by side; data, model and settings
 * fold into a summary bar that opens on request.
 */
import { PRESETS } from '../iprompt/index.ts';
import { useEngineStore } from './engineStore.ts';
import { isServer } from '../worker/protocol.ts';
import { useDataStore } from './state/dataStore.ts';
import { useRunStore } from './state/runStore.ts';
import { countRender } from './renderCount.ts';

export function BestSoFar() {
  countRender('BestSoFar');
  const leader = useRunStore((s) => s.leader);
  const step = useRunStore((s) => s.step);
  if (!leader) return null;
  const steps = step - leader.since + 1;
  return (
    <section className="panel best" data-testid="best-so-far" aria-live="polite">
      <div className="label">Best so far</div>
      <div className="best-text" data-testid="best-text">
        {leader.text}
      </div>
      <div className="hint">
        mean loss {leader.loss.toFixed(4)} · accuracy {leader.accuracy.toFixed(2)} · leading for {steps} step{steps === 1 ? '' : 's'} (since step {leader.since})
      </div>
    </section>
  );
}

/** The folded setup: what is running on what, and a button that shows the panels again. */
export function SetupSummary({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  countRender('SetupSummary');
  const name = useDataStore((s) => s.name);
  const rows = useDataStore((s) => s.pairs?.inputs.length ?? 0);
  const model = useEngineStore((s) => s.model);
  const preset = useRunStore((s) => s.preset);
  return (
    <div className="summary-bar" data-testid="setup-summary">
      <span>
        <strong>{name || 'data'}</strong> · {rows.toLocaleString()} rows · {model?.name ?? 'no model'} ({model ? (isServer(model) ? 'on a vLLM server' : `${model.dtype}, ${model.backend.backend}`) : ''}) · {PRESETS[preset].label} preset
      </span>
      <button data-testid="show-setup" aria-expanded={open} aria-controls="setup-panels" onClick={onToggle}>
        {open ? 'Hide setup' : 'Show setup'}
      </button>
    </div>
  );
}
