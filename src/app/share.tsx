/**
 * Sharing: a finished run in the URL fragment (never sent to a server), and opening such a link:
 * the run is shown as it was, without recomputing, with its data and settings ready to run again.
 */
import { useEffect, useState } from 'react';
import { encodePermalink, openPermalink, PERMALINK_MAX_LENGTH, tooLongLink, type SharedRun } from '../share/permalink.ts';
import { useDataStore } from './state/dataStore.ts';
import { useRunStore } from './state/runStore.ts';
import { create } from 'zustand';

/** A link that could not be opened: its message, shown until dismissed; the app works as usual. */
export const useLinkError = create<{ message: string | null; show: (message: string) => void; dismiss: () => void }>((set) => ({ message: null, show: (message) => set({ message }), dismiss: () => set({ message: null }) }));

/** Shows a finished run (from a link or the history) as the current result. */
export function showRecord(record: SharedRun, from: 'permalink' | 'history', note: string | null, historyId: number | null = null): void {
  const data = record.data;
  if ('inputs' in data) useDataStore.getState().loadPairs({ inputs: data.inputs, outputs: data.outputs }, data.name ?? 'shared data', null);
  const missing = 'sha256' in data ? ` The link carries a fingerprint of its ${data.count} rows, not the rows: to run it again, load the same data.` : '';
  useRunStore.getState().openRecord(record, from, [note, missing.trim()].filter(Boolean).join(' ') || null, historyId);
}

/** The length of a fragment index.html took out of the address because no link this app makes is that long (once). */
function takeTooLongLink(): number | null {
  const w = window as { __tooLongLink?: number };
  const length = w.__tooLongLink ?? null;
  delete w.__tooLongLink;
  return length;
}

async function openFromHash(): Promise<void> {
  const tooLong = takeTooLongLink();
  const hash = window.location.hash;
  if (tooLong === null && !hash.includes('run=')) return;
  try {
    if (tooLong !== null) throw tooLongLink(tooLong);
    const { run, note } = await openPermalink(hash);
    showRecord(run, 'permalink', note);
    useLinkError.getState().dismiss();
  } catch (err) {
    useLinkError.getState().show(`${(err as Error).message} The app works as usual; nothing you had was changed.`);
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
  const message = useLinkError((s) => s.message);
  const dismiss = useLinkError((s) => s.dismiss);
  if (!message) return null;
  return (
    <div className="error" role="alert" data-testid="link-error">
      {message} <button onClick={dismiss}>Dismiss</button>
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
