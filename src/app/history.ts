/**
 * The history: finished runs, the data being edited and the run in progress, in IndexedDB, so a
 * reload loses nothing. One database, three stores: `runs` (finished runs, newest first by id),
 * `drafts` (the data panel's state under the key "current") and `checkpoints` (the running
 * search's state after its last step, under "current", until it finishes).
 */
import type { IPromptOptionsInput, PresetName, SearchCheckpoint } from '../iprompt/index.ts';
import type { SharedRun } from '../share/permalink.ts';
import type { DataState } from './state/dataStore.ts';
import type { StepPoint } from './state/runStore.ts';

const DB_NAME = 'iprompt-web';
const DB_VERSION = 2;

/** A run in progress, enough to resume it after a reload: its data, settings, model and last checkpoint. */
export interface RunInProgress {
  checkpoint: SearchCheckpoint;
  plannedSteps: number;
  inputs: string[];
  outputs: string[];
  name: string;
  options: IPromptOptionsInput;
  preset: PresetName;
  overrides: IPromptOptionsInput;
  /** The model as records name it (runRecord's modelLabel): a run resumes only on the same one. */
  modelLabel: string;
  series: StepPoint[];
  savedAt: string;
}

export interface SavedRun {
  id: number;
  savedAt: string;
  name: string;
  record: SharedRun;
}

export type Draft = Pick<DataState, 'draft' | 'pairs' | 'name' | 'origin'>;

let opening: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('This browser has no IndexedDB; runs are not saved.'));
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const d = req.result;
      if (!d.objectStoreNames.contains('runs')) d.createObjectStore('runs', { keyPath: 'id', autoIncrement: true });
      if (!d.objectStoreNames.contains('drafts')) d.createObjectStore('drafts');
      if (!d.objectStoreNames.contains('checkpoints')) d.createObjectStore('checkpoints');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened.'));
  });
  opening.catch(() => (opening = null));
  return opening;
}

function request<T>(store: 'runs' | 'drafts' | 'checkpoints', mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return db().then(
    (d) =>
      new Promise<T>((resolve, reject) => {
        const tx = d.transaction(store, mode);
        const req = fn(tx.objectStore(store));
        tx.oncomplete = () => resolve(req.result as T);
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB request failed.'));
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB request was aborted (is storage full?).'));
      }),
  );
}

export async function saveRun(record: SharedRun, name: string): Promise<number> {
  return request<number>('runs', 'readwrite', (s) => s.add({ savedAt: new Date().toISOString(), name, record }));
}

/** Replaces a saved run's record (a description scored after the run), keeping its name and date. */
export async function updateRun(id: number, record: SharedRun): Promise<void> {
  const saved = await request<SavedRun | undefined>('runs', 'readonly', (s) => s.get(id));
  if (!saved) return;
  await request('runs', 'readwrite', (s) => s.put({ ...saved, record }));
}

export async function listRuns(): Promise<SavedRun[]> {
  const all = await request<SavedRun[]>('runs', 'readonly', (s) => s.getAll());
  return all.sort((a, b) => b.id - a.id);
}

export async function deleteRun(id: number): Promise<void> {
  await request('runs', 'readwrite', (s) => s.delete(id));
}

export async function saveDraft(draft: Draft): Promise<void> {
  await request('drafts', 'readwrite', (s) => s.put(draft, 'current'));
}

export async function loadDraft(): Promise<Draft | undefined> {
  return request<Draft | undefined>('drafts', 'readonly', (s) => s.get('current'));
}

export async function saveRunInProgress(run: RunInProgress): Promise<void> {
  await request('checkpoints', 'readwrite', (s) => s.put(run, 'current'));
}

export async function loadRunInProgress(): Promise<RunInProgress | undefined> {
  return request<RunInProgress | undefined>('checkpoints', 'readonly', (s) => s.get('current'));
}

export async function clearRunInProgress(): Promise<void> {
  await request('checkpoints', 'readwrite', (s) => s.delete('current'));
}
