/**
 * Sharing: a finished run in the URL fragment (never sent to a server), and opening such a link:
 * the run is shown as it was, without recomputing, with its data and settings ready to run again.
 */
import { useEffect, useState } from 'react';
import { encodePermalink, openPermalink, PERMALINK_MAX_LENGTH, type SharedRun } from '../share/permalink.ts';
import { useDataStore } from './state/dataStore.ts';
import { EMPTY_RUN, useRunStore } from './state/runStore.ts';
import { create } from 'zustand';

/** A link that could not be opened: its message, shown until dismissed; the app works as usual. */
export const useLinkError = create<{ message: string | null; set: (m: string | null) => void }>((set) => ({ message: null, set: (message) => set({ message }) }));

/** Shows a finished run (from a link or the history) as the current result. */
export function showRecord(record: SharedRun, from: 'permalink' | 'history', note: string | null, historyId: number | null = null): void {
  const data = record.data;
  if ('inputs' in data) {
    useDataStore.getState().set({ pairs: { inputs: data.inputs, outputs: data.outputs }, origin: null, name: data.name ?? 'shared data', columns: [], inputColumn: null, outputColumn: null, rowProblems: [], error: null });
  }
  const missing = 'sha256' in data ? ` The link carries a fingerprint of its ${data.count} rows, not the rows: to run it again, load the same data.` : '';
  useRunStore.getState().set({
    ...EMPTY_RUN,
    status: 'done',
    record,
    series: record.result?.series ?? [],
    preset: 'default',
    overrides: { ...record.options },
    opened: { from, note: [note, missing.trim()].filter(Boolean).join(' ') || null },
    historyId,
  });
}

async function openFromHash(): Promise<void> {
  const hash = window.location.hash;
  if (!hash.includes('run=')) return;
  try {
    const { run, note } = await openPermalink(hash);
    showRecord(run, 'permalink', note);
    useLinkError.getState().set(null);
  } catch (err) {
    useLinkError.getState().set(`${(err as Error).message} The app works as usual; nothing you had was changed.`);
  }
}

/** Opens a run link when the page loads and whenever the fragment changes. */
export function usePermalinkOpener(): void {
  useEffect(() => {
    void openFromHash();
    const onHash = () => void openFromHash();
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
}

export function LinkError() {
  const { message, set } = useLinkError();
  if (!message) return null;
  return (
    <div className="error" role="alert" data-testid="link-error">
      {message} <button onClick={() => set(null)}>Dismiss</button>
    </div>
  );
}

export function ShareButton() {
  const record = useRunStore((s) => s.record);
  const [link, setLink] = useState<{ url: string; note: string | null; length: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!record) return null;
  const make = async () => {
    setError(null);
    try {
      const { fragment, note, length } = await encodePermalink(record);
      const url = `${window.location.origin}${window.location.pathname}${fragment}`;
      setLink({ url, note, length });
      await navigator.clipboard?.writeText(url).catch(() => undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <button data-testid="share" onClick={() => void make()}>
        Share link
      </button>
      {link && (
        <div className="share" data-testid="share-box">
          <input readOnly data-testid="share-url" value={link.url} size={60} onFocus={(e) => e.currentTarget.select()} />
          <div className="hint">
            {link.length.toLocaleString()} characters (links are kept under {PERMALINK_MAX_LENGTH.toLocaleString()}); everything is in the part after #, which browsers never send to a server.
            {link.note && <span data-testid="share-note"> {link.note}</span>}
          </div>
        </div>
      )}
      {error && <div className="error">{error}</div>}
    </>
  );
}
