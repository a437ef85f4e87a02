/**
 * A model folder, wherever it lives: on a hub or the app's own server (HTTP, with Cache Storage),
 * or in files the user picked. Node's folder store lives in ./node/ so the browser build never
 * sees `fs`.
 */
import { EngineError, toEngineError } from './errors.ts';
import { fetchFiles, fileSize, hubUrl, type CacheLike } from './download.ts';
import { DEFAULT_HUB_URL, type FileProgress, type LoadProgress, type ModelSource } from './modelSource.ts';

export interface FileRequest {
  file: string;
  optional?: boolean;
}

export interface FetchControl {
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

export interface FileStore {
  /** Fetches the files; optional ones that do not exist are absent from the result. */
  fetch(requests: FileRequest[], control: FetchControl): Promise<Map<string, Uint8Array>>;
  /**
   * A file's size without reading it ('absent' when it does not exist, null when unknown), so
   * that weights too large for the backend are refused before they are downloaded.
   */
  sizeOf?(file: string, control: FetchControl): Promise<number | 'absent' | null>;
}

export function httpStore(urlFor: (file: string) => string, cache?: CacheLike | null): FileStore {
  return {
    fetch: (requests, control) =>
      fetchFiles(
        requests.map((r) => ({ file: r.file, url: urlFor(r.file), optional: r.optional })),
        { signal: control.signal, onProgress: control.onProgress, ...(cache !== undefined ? { cache } : {}) },
      ),
    sizeOf: (file, control) => fileSize(urlFor(file), { signal: control.signal, ...(cache !== undefined ? { cache } : {}) }),
  };
}

/** Files picked from disk; `path` is relative to the model folder (the picked folder's name stripped). */
export function blobStore(files: { path: string; blob: Blob }[]): FileStore {
  const byPath = new Map(files.map((f) => [normalisePickedPath(f.path, files), f.blob]));
  return {
    sizeOf: async (file) => byPath.get(file)?.size ?? 'absent',
    async fetch(requests, control) {
      const out = new Map<string, Uint8Array>();
      const progress: FileProgress[] = requests.filter((r) => byPath.has(r.file)).map((r) => ({ file: r.file, loaded: 0, total: byPath.get(r.file)!.size, fromCache: false, done: false }));
      const report = () => control.onProgress?.({ loaded: progress.reduce((s, p) => s + p.loaded, 0), total: progress.reduce((s, p) => s + (p.total ?? 0), 0), files: progress.map((p) => ({ ...p })) });
      for (const r of requests) {
        if (control.signal?.aborted) throw new EngineError('ABORTED', 'Cancelled.');
        const blob = byPath.get(r.file);
        if (!blob) {
          if (r.optional) continue;
          throw new EngineError('BAD_MODEL', `${r.file} is missing from the picked files (found: ${[...byPath.keys()].join(', ') || 'none'}).`, { file: r.file });
        }
        try {
          out.set(r.file, new Uint8Array(await blob.arrayBuffer()));
        } catch (err) {
          throw toEngineError(err, { file: r.file });
        }
        const p = progress.find((x) => x.file === r.file)!;
        p.loaded = blob.size;
        p.done = true;
        report();
      }
      return out;
    },
  };
}

/**
 * A picked folder arrives as "<folder>/config.json", "<folder>/onnx/model.onnx"; a multi-file pick
 * as bare names. Strip the common first segment when every path has one.
 */
function normalisePickedPath(path: string, all: { path: string }[]): string {
  const clean = path.replace(/^\.?\//, '');
  const first = (p: string) => p.replace(/^\.?\//, '').split('/')[0];
  const top = first(all[0]?.path ?? '');
  const shared = all.every((f) => f.path.replace(/^\.?\//, '').includes('/') && first(f.path) === top);
  const rel = shared ? clean.slice(top.length + 1) : clean;
  // A flat pick of a graph file still belongs in onnx/.
  return !rel.includes('/') && rel.endsWith('.onnx') ? `onnx/${rel}` : !rel.includes('/') && /\.onnx_data(_\d+)?$/.test(rel) ? `onnx/${rel}` : rel;
}

/** The store for a source in the browser; `shippedBase` is where public/models/ is served. */
export function browserStore(source: ModelSource, opts: { hubUrl?: string; shippedBase: string; cache?: CacheLike | null }): FileStore {
  switch (source.kind) {
    case 'hub':
      return httpStore((file) => hubUrl(source.baseUrl ?? opts.hubUrl ?? DEFAULT_HUB_URL, source.id, file), opts.cache);
    case 'shipped':
      return httpStore((file) => `${opts.shippedBase.replace(/\/$/, '')}/${source.name}/${file}`, opts.cache);
    case 'files':
      return blobStore(source.files);
    case 'folder':
      throw new EngineError('BAD_MODEL', 'A folder path can only be opened from the command line; in the browser, pick the folder instead.');
  }
}
