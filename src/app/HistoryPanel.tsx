/** Finished runs saved in this browser: reopen or delete. Also keeps the data being edited across reloads. */
import { useCallback, useEffect, useState } from 'react';
import { deleteRun, listRuns, loadDraft, saveDraft, saveRun, type SavedRun } from './history.ts';
import { useDataStore } from './state/dataStore.ts';
import { useRunStore } from './state/runStore.ts';
import { showRecord } from './share.tsx';
import { modelLabel } from './runRecord.ts';
import { CompareRuns } from './CompareRuns.tsx';
import { useEngineStore } from './engineStore.ts';
import { askPersistence, quotaMessage, storageAdvice, storageFigures, storageSummary, type StorageFigures } from './storage.ts';
import { countRender } from './renderCount.ts';

/** Restores the draft data on start, saves it as it changes, and saves every run made here when it finishes. */
export function useHistorySync(onSaved: () => void, onError: (message: string) => void): void {
  useEffect(() => {
    let restored = false;
    void loadDraft()
      .then((d) => {
        // A link opened in the meantime wins; otherwise bring back what was being edited.
        if (d) useDataStore.getState().restoreDraft(d);
      })
      .catch(() => undefined)
      .finally(() => (restored = true));
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubData = useDataStore.subscribe((s, prev) => {
      if (!restored || (s.draft === prev.draft && s.pairs === prev.pairs)) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void saveDraft({ draft: s.draft, pairs: s.pairs, name: s.name, origin: s.origin }).catch(() => undefined), 400);
    });
    const unsubRun = useRunStore.subscribe((s, prev) => {
      if (s.status === 'done' && prev.status !== 'done' && s.record && !s.opened) {
        const record = s.record;
        void saveRun(record, useDataStore.getState().name || 'data').then(
          (id) => {
            useRunStore.getState().linkHistory(record, id);
            void askPersistence();
            onSaved();
          },
          (err: Error) => onError(err.name === 'QuotaExceededError' || /quota/i.test(err.message) ? quotaMessage('this run') : `Could not save this run: ${err.message}`),
        );
      }
    });
    return () => {
      unsubData();
      unsubRun();
    };
  }, [onSaved, onError]);
}

export function HistoryPanel() {
  countRender('HistoryPanel');
  const [runs, setRuns] = useState<SavedRun[] | null>(null);
  /** Up to two runs picked for comparing, oldest pick first. */
  const [picked, setPicked] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    listRuns().then(setRuns, (e: Error) => setError(e.message));
  }, []);
  useHistorySync(refresh, setError);
  useEffect(refresh, [refresh]);
  if (!runs && error)
    return (
      <section className="panel">
        <h2>History</h2>
        <p className="hint">{error}</p>
      </section>
    );
  if (!runs || (runs.length === 0 && !error))
    return (
      <section className="panel" data-testid="storage">
        <StorageInfo />
      </section>
    );
  const chosen = picked.map((id) => runs.find((r) => r.id === id)).filter((r): r is SavedRun => r !== undefined);
  const pair = chosen.length === 2 ? chosen : null;
  return (
    <section className="panel" data-testid="history">
      <h2>History</h2>
      {error && (
        <div className="error" data-testid="history-error">
          {error}
        </div>
      )}
      <table className="pool">
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid="history-row">
              <td>{new Date(r.savedAt).toLocaleString()}</td>
              <td>{r.name}</td>
              <td>{modelLabel(r.record.model)}</td>
              <td className="prompt">{JSON.stringify(r.record.result?.explanations?.[0]?.text ?? r.record.result?.prompts[0]?.text ?? '')}</td>
              <td>
                <label>
                  <input
                    type="checkbox"
                    data-testid="history-compare"
                    aria-label={`Compare the run of ${new Date(r.savedAt).toLocaleString()}`}
                    checked={picked.includes(r.id)}
                    onChange={(e) => setPicked(e.target.checked ? [...picked.filter((id) => id !== r.id), r.id].slice(-2) : picked.filter((id) => id !== r.id))}
                  />{' '}
                  compare
                </label>{' '}
                <button data-testid="history-open" onClick={() => showRecord(r.record, 'history', null, r.id)}>
                  Open
                </button>{' '}
                <button data-testid="history-delete" onClick={() => void deleteRun(r.id).then(refresh)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {picked.length === 1 && <p className="hint">Pick one more run to compare.</p>}
      {pair && <CompareRuns a={pair[0]} b={pair[1]} onClose={() => setPicked([])} />}
      <StorageInfo refreshKey={runs.length} />
    </section>
  );
}

/** What the app keeps in this browser, whether it is kept for good, and what to delete when it fills up. */
function StorageInfo({ refreshKey = 0 }: { refreshKey?: number }) {
  const [figures, setFigures] = useState<StorageFigures | null>(null);
  const engineStatus = useEngineStore((s) => s.status);
  useEffect(() => {
    void storageFigures().then(setFigures);
  }, [refreshKey, engineStatus]);
  if (!figures) return null;
  const advice = storageAdvice(figures);
  return (
    <div data-testid="storage-info">
      <p className="hint">{storageSummary(figures)}</p>
      {advice && (
        <div className="error" data-testid="storage-advice">
          {advice}
        </div>
      )}
    </div>
  );
}
