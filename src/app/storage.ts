/**
 * What this app keeps in the browser (cached models in Cache Storage, runs and drafts in
 * IndexedDB), whether the browser has agreed to keep it, and what to delete when space runs out.
 */
import { formatBytes } from '../util/format.ts';

export interface StorageFigures {
  usage: number;
  quota: number;
  /** Chromium's breakdown: Cache Storage (models) and IndexedDB (history); absent elsewhere. */
  caches?: number;
  indexedDB?: number;
  persisted: boolean | null;
}

/** Share of the quota above which the app warns. */
export const NEARLY_FULL = 0.9;

/** Asks the browser to keep this app's data under storage pressure (a model was cached or a run saved); null where it cannot. */
export async function askPersistence(): Promise<boolean | null> {
  try {
    if (!navigator.storage?.persist) return null;
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return null;
  }
}

export async function storageFigures(): Promise<StorageFigures | null> {
  try {
    if (!navigator.storage?.estimate) return null;
    const e = (await navigator.storage.estimate()) as StorageEstimate & { usageDetails?: { caches?: number; indexedDB?: number } };
    return { usage: e.usage ?? 0, quota: e.quota ?? 0, caches: e.usageDetails?.caches, indexedDB: e.usageDetails?.indexedDB, persisted: navigator.storage.persisted ? await navigator.storage.persisted() : null };
  } catch {
    return null;
  }
}

/** One line for a person: what is kept, how much room is left, and whether the browser may clear it. */
export function storageSummary(f: StorageFigures): string {
  const parts = [f.caches !== undefined && `models ${formatBytes(f.caches)}`, f.indexedDB !== undefined && `saved runs and data ${formatBytes(f.indexedDB)}`].filter(Boolean);
  const kept = f.persisted ? 'The browser keeps it until you delete it.' : f.persisted === false ? 'The browser may clear it when the disk runs low on space.' : '';
  return `This app keeps ${formatBytes(f.usage)} in this browser${parts.length ? ` (${parts.join(', ')})` : ''}, of ${formatBytes(f.quota)} it may use. ${kept}`.trim();
}

/** When space runs out (or nearly), what to delete, biggest first; null while there is room. */
export function storageAdvice(f: StorageFigures): string | null {
  if (f.quota <= 0 || f.usage / f.quota < NEARLY_FULL) return null;
  const models = { what: 'cached models (in the language model panel)', bytes: f.caches ?? 0 };
  const runs = { what: 'old runs (in the history)', bytes: f.indexedDB ?? 0 };
  const [first, second] = models.bytes >= runs.bytes ? [models, runs] : [runs, models];
  return `Storage is ${Math.round((100 * f.usage) / f.quota)}% full: delete ${first.what}${first.bytes ? `, ${formatBytes(first.bytes)}` : ''}, or ${second.what}${second.bytes ? `, ${formatBytes(second.bytes)}` : ''}, to make room.`;
}

/** The message for a save that failed for lack of space. */
export function quotaMessage(what: string): string {
  return `Could not save ${what}: this browser's storage for the app is full. Delete cached models in the language model panel or old runs in the history, then try again.`;
}
