/** Finished runs saved in this browser: reopen or delete. Also keeps the data being edited across reloads. */
import { useCallback, useEffect, useState } from 'react';
import { deleteRun, listRuns, loadDraft, saveDraft, saveRun, type SavedRun } from './history.ts';
import { useDataStore } from './state/dataStore.ts';
import { useRunStore } from './state/runStore.ts';
import { showRecord } from './share.tsx';
import { modelLabel } from './runRecord.ts';

/** Restores the draft data on start, saves it as it changes, and saves every run made here when it finishes. */
export function useHistorySync(onSaved: () => void): void {
  useEffect(() => {
    let restored = false;
    void loadDraft()
      .then((d) => {
        // A link opened in the meantime wins; otherwise bring back what was being edited.
        if (d && !useDataStore.getState().pairs && !useDataStore.getState().draft) useDataStore.getState().set({ draft: d.draft, pairs: d.pairs, name: d.name, origin: d.origin });
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
        void saveRun(record, useDataStore.getState().name || 'data').then((id) => {
          if (useRunStore.getState().record === record) useRunStore.getState().set({ historyId: id });
          onSaved();
        }, () => undefined);
      }
    });
    return () => {
      unsubData();
      unsubRun();
    };
  }, [onSaved]);
}

export function HistoryPanel() {
  const [runs, setRuns] = useState<SavedRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    listRuns().then(setRuns, (e: Error) => setError(e.message));
  }, []);
  useHistorySync(refresh);
  useEffect(refresh, [refresh]);
  if (error) return <section className="panel"><h2>History</h2><p className="hint">{error}</p></section>;
  if (!runs || runs.length === 0) return null;
  return (
    <section className="panel" data-testid="history">
      <h2>History</h2>
      <table className="pool">
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid="history-row">
              <td>{new Date(r.savedAt).toLocaleString()}</td>
              <td>{r.name}</td>
              <td>{modelLabel(r.record.model)}</td>
              <td className="prompt">{JSON.stringify(r.record.result?.explanations?.[0]?.text ?? r.record.result?.prompts[0]?.text ?? '')}</td>
              <td>
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
    </section>
  );
}
