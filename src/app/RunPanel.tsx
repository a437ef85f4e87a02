/** Start, pause, resume, stop, and how far the run is. */
import { useShallow } from 'zustand/react/shallow';
import { useDataStore } from './state/dataStore.ts';
import { useEngineStore } from './engineStore.ts';
import { useRunStore } from './state/runStore.ts';
import { formatDuration } from '../util/format.ts';
import type { useSearch } from './useSearch.ts';
import { countRender } from './renderCount.ts';

export function RunPanel({ search }: { search: ReturnType<typeof useSearch> }) {
  countRender('RunPanel');
  const r = useRunStore(useShallow((s) => ({ status: s.status, record: s.record, sizes: s.sizes, step: s.step, epoch: s.epoch, examplesSeen: s.examplesSeen, tokensPerSecond: s.tokensPerSecond, elapsedMs: s.elapsedMs, ranking: s.ranking, error: s.error })));
  const pairs = useDataStore((s) => s.pairs);
  const engineStatus = useEngineStore((s) => s.status);
  const active = ['running', 'pausing', 'paused', 'stopping', 'ranking'].includes(r.status);
  const canStart = !active && engineStatus === 'ready' && !!pairs && pairs.inputs.length >= 2;
  const planned = r.sizes?.plannedSteps ?? 0;
  const left = r.step > 0 && planned > r.step ? ((planned - r.step) * r.elapsedMs) / r.step / 1000 : null;
  return (
    <section className="panel" data-testid="run-panel">
      <h2>Run</h2>
      <div className="row">
        <button data-testid="run" disabled={!canStart} onClick={() => void search.start()}>
          {r.record ? 'Run again' : 'Run'}
        </button>
        <button data-testid="pause" disabled={r.status !== 'running'} onClick={search.pause}>
          Pause
        </button>
        <button data-testid="resume" disabled={r.status !== 'paused' && r.status !== 'pausing'} onClick={search.resume}>
          Resume
        </button>
        <button data-testid="stop" disabled={!active || r.status === 'stopping' || r.status === 'ranking'} onClick={search.stop}>
          Stop
        </button>
        <span data-testid="run-status" className={`status ${r.status}`}>
          {r.status}
        </span>
        {!pairs && <span className="hint">Add data first.</span>}
        {pairs && engineStatus !== 'ready' && !active && <span className="hint">Waiting for the model.</span>}
      </div>
      {(active || r.step > 0) && (
        <div className="progress" data-testid="run-progress">
          <progress max={planned || 1} value={r.step} aria-label="search progress" />{' '}
          step <span data-testid="step">{r.step}</span>/{planned} · epoch {r.epoch + 1} · {r.examplesSeen.toLocaleString()} examples seen ·{' '}
          <span data-testid="tps">{Math.round(r.tokensPerSecond).toLocaleString()}</span> tokens/s
          {left !== null && active && <> · about {formatDuration(Math.max(1, left))} left</>}
          {r.ranking && (
            <span data-testid="ranking-progress">
              {' '}
              · {{ rerank: 'final ranking', clean: 'cleaning the wording', evidence: 'per-example evidence' }[r.ranking.phase]} {r.ranking.done}/{r.ranking.total}
            </span>
          )}
        </div>
      )}
      {r.error && (
        <div className="error" role="alert" data-testid="run-error" data-code={r.error.code}>
          <strong>{r.error.code}</strong>: {r.error.message}
          <div className="remedy">{r.error.remedy}</div>
        </div>
      )}
    </section>
  );
}
