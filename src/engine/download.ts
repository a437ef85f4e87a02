/**
 * Downloading model files over HTTP: streamed so the UI can show bytes as they arrive, cancellable,
 * and kept in Cache Storage so a model is fetched once. Runs in a Web Worker and in Node 20, where
 * there is no Cache Storage unless a cache is passed in.
 */
import { EngineError, isAbort } from './errors.ts';
import type { FileProgress, LoadProgress } from './modelSource.ts';
import { formatBytes } from '../util/format.ts';

/** Bump the version when the stored format changes, so old entries are never misread. */
export const MODEL_CACHE_NAME = 'iprompt-models-v1';

const CONCURRENCY = 4;
const PROGRESS_INTERVAL_MS = 50;
/**
 * Cached copies remember which model file they hold; the cache key alone cannot tell where the
 * model folder ends and the file path begins, and the cache listing groups by model folder.
 */
const FILE_HEADER = 'x-iprompt-file';

export interface CacheLike {
  match(url: string): Promise<Response | undefined>;
  put(url: string, res: Response): Promise<void>;
  delete(url: string): Promise<boolean>;
}

/** A cache that can also enumerate its entries (the browser's Cache has `keys`). */
export interface ListableCache extends CacheLike {
  keys(): Promise<ReadonlyArray<Request | string>>;
}

export interface FileRequest {
  /** Path inside the model folder, e.g. 'onnx/model_q4.onnx'. */
  file: string;
  url: string;
  /** A missing optional file (HTTP 404/410) is left out of the result instead of failing the load. */
  optional?: boolean;
}

export interface FetchFilesOptions {
  signal?: AbortSignal;
  /** Throttled to about one call per 50 ms, plus one call whenever a file finishes. */
  onProgress?: (p: LoadProgress) => void;
  /** undefined: the browser's Cache Storage where there is one; null: no caching. */
  cache?: CacheLike | null;
  fetchImpl?: typeof fetch;
  /** The clock the progress throttle reads (milliseconds); tests pass one they control. */
  now?: () => number;
}

/**
 * Fills a hub URL template. Each path segment of the file is encoded on its own so the '/' between
 * folders survives; the id ('org/name') is inserted as is because hubs route on its slash.
 */
export function hubUrl(template: string, id: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  // A replacer function, because a replacement string would interpret '$&' and the like in the id.
  return template.replace(/\{(id|file)\}/g, (_, key: string) => (key === 'id' ? id : path));
}

/**
 * The size of a file without downloading it: from the cache where a copy is kept, else a HEAD
 * request. 'absent' for a 404/410; null when the server does not say (or cannot be asked).
 */
export async function fileSize(url: string, opts: { cache?: CacheLike | null; fetchImpl?: typeof fetch; signal?: AbortSignal } = {}): Promise<number | 'absent' | null> {
  const cache = opts.cache === undefined ? await openModelCache() : opts.cache;
  const hit = cache ? await cache.match(url).catch(() => undefined) : undefined;
  const cached = hit ? parseLength(hit.headers.get('content-length')) : null;
  if (cached !== null) return cached;
  try {
    const res = await (opts.fetchImpl ? opts.fetchImpl(url, { method: 'HEAD', signal: opts.signal }) : fetch(url, { method: 'HEAD', signal: opts.signal }));
    if (res.status === 404 || res.status === 410) return 'absent';
    if (!res.ok) return null;
    // The Hugging Face hub answers HEAD for large files with a redirect and X-Linked-Size.
    return parseLength(res.headers.get('x-linked-size')) ?? parseLength(res.headers.get('content-length'));
  } catch {
    if (opts.signal?.aborted) throw aborted();
    return null;
  }
}

/** The app's model cache, or null where Cache Storage is missing or refused (Node, some private modes). */
export async function openModelCache(): Promise<ListableCache | null> {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (!storage) return null;
  try {
    return await storage.open(MODEL_CACHE_NAME);
  } catch {
    // Opaque origins and some private windows throw SecurityError; loading still works uncached.
    return null;
  }
}

/**
 * Fetches every requested file, at most four at a time, from the cache where a verified copy exists.
 * The result has an entry for each required file and each optional file that exists, in request order.
 */
export async function fetchFiles(requests: FileRequest[], opts: FetchFilesOptions = {}): Promise<Map<string, Uint8Array>> {
  const outer = opts.signal;
  if (outer?.aborted) throw aborted();
  const cache = opts.cache === undefined ? await openModelCache() : opts.cache;
  if (outer?.aborted) throw aborted();

  const unique = dedupe(requests);
  // One file failing stops the others too: their bytes would be thrown away with the failed load.
  const ctl = new AbortController();
  const forwardAbort = () => ctl.abort();
  outer?.addEventListener('abort', forwardAbort, { once: true });

  const progress = new ProgressTracker(unique, opts.onProgress, opts.now);
  const custom = opts.fetchImpl;
  // Called as a plain function: browsers throw "Illegal invocation" when fetch runs with another `this`.
  const fetchImpl = (url: string, init: RequestInit) => (custom ? custom(url, init) : fetch(url, init));
  const ctx: Ctx = { cache, fetchImpl, signal: ctl.signal, progress };
  const found = new Map<string, Uint8Array>();
  let failure: { err: unknown } | undefined;
  let next = 0;

  const worker = async (): Promise<void> => {
    while (!failure && next < unique.length) {
      const req = unique[next++];
      try {
        const bytes = await fetchOne(req, ctx);
        if (bytes) found.set(req.file, bytes);
      } catch (err) {
        failure ??= { err };
        ctl.abort();
      }
    }
  };

  progress.emit(false);
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));
  } finally {
    outer?.removeEventListener('abort', forwardAbort);
    progress.close();
  }
  // The caller's cancel wins over whatever error the cancel provoked inside a fetch.
  if (outer?.aborted) throw aborted();
  if (failure) throw failure.err;

  const out = new Map<string, Uint8Array>();
  for (const r of unique) {
    const bytes = found.get(r.file);
    if (bytes) out.set(r.file, bytes);
  }
  return out;
}

interface Ctx {
  cache: CacheLike | null;
  fetchImpl: (url: string, init: RequestInit) => Promise<Response>;
  signal: AbortSignal;
  progress: ProgressTracker;
}

async function fetchOne(req: FileRequest, ctx: Ctx): Promise<Uint8Array | null> {
  const { file, url } = req;
  const { signal, progress } = ctx;

  if (ctx.cache) {
    const hit = await readCached(ctx.cache, url, signal);
    if (hit) {
      progress.fromCache(file, hit.length);
      return hit;
    }
  }
  if (signal.aborted) throw aborted();

  let res: Response;
  try {
    res = await abortable(ctx.fetchImpl(url, { signal }), signal);
  } catch (err) {
    if (signal.aborted || isAbort(err)) throw aborted();
    throw new EngineError('NETWORK', `${file}: could not fetch ${url} (${describe(err)})`, { file, cause: err });
  }

  if (res.status === 404 || res.status === 410) {
    discardBody(res);
    if (req.optional) {
      progress.absent(file);
      return null;
    }
    throw new EngineError('BAD_MODEL', `${file} not found at ${url} (HTTP ${res.status})`, { file });
  }
  if (!res.ok) {
    discardBody(res);
    const text = res.statusText ? ` ${res.statusText}` : '';
    throw new EngineError('NETWORK', `${file}: HTTP ${res.status}${text} from ${url}`, { file });
  }

  const expected = expectedLength(res);
  progress.sized(file, expected);
  const bytes = await readBody(res, file, expected, ctx);

  // A cancel that lands after the last byte still means the caller no longer wants this load.
  if (signal.aborted) throw aborted();
  if (ctx.cache) await storeInCache(ctx.cache, url, file, bytes, res.headers.get('content-type'));
  progress.finish(file, bytes.length);
  return bytes;
}

/** A verified cached copy, or null. A copy whose length disagrees with its header is dropped. */
async function readCached(cache: CacheLike, url: string, signal: AbortSignal): Promise<Uint8Array | null> {
  let res: Response | undefined;
  try {
    res = await abortable(cache.match(url), signal);
  } catch {
    if (signal.aborted) throw aborted();
    // An unreadable cache costs a download, not the load.
    return null;
  }
  if (!res) return null;

  const declared = parseLength(res.headers.get('content-length'));
  let bytes: Uint8Array | null = null;
  try {
    bytes = new Uint8Array(await abortable(res.arrayBuffer(), signal));
  } catch {
    if (signal.aborted) throw aborted();
  }
  if (bytes && declared !== null && bytes.length === declared) return bytes;
  // Every entry this module writes carries its length, so a mismatch or a missing header means a copy
  // written by something else or cut short; the network copy replaces it.
  await cache.delete(url).catch(() => false);
  return null;
}

async function readBody(res: Response, file: string, expected: number | null, ctx: Ctx): Promise<Uint8Array<ArrayBuffer>> {
  const { signal, progress } = ctx;
  let sink: ByteSink;
  try {
    sink = new ByteSink(expected ?? 0);
  } catch (err) {
    discardBody(res);
    throw new EngineError('OUT_OF_MEMORY', `${file}: cannot hold ${formatBytes(expected ?? 0)} in memory (${describe(err)})`, { file, cause: err });
  }

  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await abortable(reader.read(), signal);
      } catch (err) {
        // Cancel so a fetchImpl that ignores the signal still releases its connection.
        reader.cancel().catch(() => undefined);
        if (signal.aborted || isAbort(err)) throw aborted();
        const of = expected === null ? 'an unknown number of' : String(expected);
        throw new EngineError('NETWORK', `${file}: download broke off after ${sink.length} of ${of} bytes (${describe(err)})`, {
          file,
          cause: err,
        });
      }
      if (chunk.done) break;
      sink.push(chunk.value);
      progress.update(file, sink.length);
    }
  }

  if (expected !== null && sink.length < expected) {
    throw new EngineError('NETWORK', `${file}: download ended after ${sink.length} of ${expected} bytes`, { file });
  }
  return sink.bytes();
}

async function storeInCache(cache: CacheLike, url: string, file: string, bytes: Uint8Array<ArrayBuffer>, contentType: string | null): Promise<void> {
  const stored = new Response(bytes, {
    headers: {
      'content-length': String(bytes.length),
      'content-type': contentType ?? 'application/octet-stream',
      // Header values must be ByteStrings; encoding keeps any file name legal.
      [FILE_HEADER]: encodeURIComponent(file),
    },
  });
  try {
    await cache.put(url, stored);
  } catch (err) {
    // A put that fails half-way may leave an entry behind in some implementations; never trust it.
    await cache.delete(url).catch(() => false);
    if (isQuotaError(err)) {
      throw new EngineError('QUOTA', `No room to cache ${file} (${formatBytes(bytes.length)}, ${bytes.length} bytes): ${describe(err)}`, {
        file,
        cause: err,
      });
    }
    // Any other cache failure costs a download next time; the bytes in hand are complete and usable.
  }
}

/**
 * The byte count the body must reach, or null when unknown. With a content coding the header counts
 * the compressed bytes while the body arrives decoded, so it cannot be checked.
 */
function expectedLength(res: Response): number | null {
  const coding = res.headers.get('content-encoding');
  if (coding && coding.trim().toLowerCase() !== 'identity') return null;
  return parseLength(res.headers.get('content-length'));
}

function parseLength(header: string | null): number | null {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return null;
  const n = Number(header);
  return Number.isSafeInteger(n) ? n : null;
}

/** Collects a body, in one allocation when the length is known (model graphs run to gigabytes). */
class ByteSink {
  private buf: Uint8Array<ArrayBuffer>;
  length = 0;

  constructor(expected: number) {
    this.buf = new Uint8Array(expected > 0 ? expected : 64 * 1024);
  }

  push(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, needed));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(chunk, this.length);
    this.length = needed;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}

class ProgressTracker {
  private readonly files: FileProgress[];
  private readonly byName = new Map<string, FileProgress>();
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    requests: FileRequest[],
    private readonly onProgress?: (p: LoadProgress) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.files = requests.map((r) => ({ file: r.file, loaded: 0, total: null, fromCache: false, done: false }));
    for (const f of this.files) this.byName.set(f.file, f);
  }

  sized(file: string, total: number | null): void {
    this.get(file).total = total;
    this.emit(false);
  }

  update(file: string, loaded: number): void {
    const f = this.get(file);
    f.loaded = loaded;
    // Only a hidden content coding makes the body outgrow its header; never show more than 100 %.
    if (f.total !== null && loaded > f.total) f.total = loaded;
    this.emit(false);
  }

  finish(file: string, size: number): void {
    Object.assign(this.get(file), { loaded: size, total: size, done: true });
    this.emit(true);
  }

  fromCache(file: string, size: number): void {
    Object.assign(this.get(file), { loaded: size, total: size, fromCache: true, done: true });
    this.emit(true);
  }

  /**
   * A missing optional file stays in the list as an empty finished one: callers that merge progress
   * by file name would otherwise keep its unknown size forever and never learn the overall total.
   */
  absent(file: string): void {
    Object.assign(this.get(file), { loaded: 0, total: 0, done: true });
    this.emit(true);
  }

  emit(force: boolean): void {
    if (!this.onProgress || this.closed) return;
    const now = this.now();
    const wait = this.last + PROGRESS_INTERVAL_MS - now;
    if (!force && wait > 0) {
      // A dropped update is sent late rather than never: a download that stalls right after it would
      // otherwise show stale numbers for as long as it stalls.
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.emit(false);
      }, wait);
      return;
    }
    this.cancelTimer();
    this.last = now;
    const known = this.files.every((f) => f.total !== null);
    this.onProgress({
      loaded: this.files.reduce((s, f) => s + f.loaded, 0),
      total: known ? this.files.reduce((s, f) => s + (f.total ?? 0), 0) : null,
      files: this.files.map((f) => ({ ...f })),
    });
  }

  /** No calls after fetchFiles has settled. */
  close(): void {
    this.closed = true;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private get(file: string): FileProgress {
    const f = this.byName.get(file);
    if (!f) throw new EngineError('INTERNAL', `Progress for a file that was not requested: ${file}`);
    return f;
  }
}

// ---------------------------------------------------------------------------------------------
// Listing and deleting cached models, for the storage panel.

export interface CachedFile {
  /** Path inside the model folder. */
  file: string;
  url: string;
  bytes: number;
}

export interface CachedModel {
  /** The URL every file of the model starts with; pass it to deleteCachedModel. */
  prefix: string;
  /** The hub id ('org/name') where the URL is a hub one, else the folder name. */
  label: string;
  bytes: number;
  files: CachedFile[];
}

/** Cached models grouped by their folder URL, with sizes read from headers (bodies stay on disk). */
export async function listCachedModels(cache?: ListableCache | null): Promise<CachedModel[]> {
  const c = cache === undefined ? await openModelCache() : cache;
  if (!c) return [];
  const groups = new Map<string, CachedModel>();
  for (const key of await c.keys()) {
    const url = typeof key === 'string' ? key : key.url;
    const res = await c.match(url);
    // Evicted between keys() and match().
    if (!res) continue;
    let bytes = parseLength(res.headers.get('content-length'));
    if (bytes === null) bytes = (await res.arrayBuffer()).byteLength;
    else discardBody(res);
    const { prefix, file } = splitCachedUrl(url, res.headers.get(FILE_HEADER));
    let group = groups.get(prefix);
    if (!group) {
      group = { prefix, label: labelFor(prefix), bytes: 0, files: [] };
      groups.set(prefix, group);
    }
    group.files.push({ file, url, bytes });
    group.bytes += bytes;
  }
  const models = [...groups.values()];
  for (const m of models) m.files.sort((a, b) => a.file.localeCompare(b.file));
  return models.sort((a, b) => a.label.localeCompare(b.label) || a.prefix.localeCompare(b.prefix));
}

/**
 * Deletes the files of one cached model; returns how many entries went. Matches on the computed
 * folder, not on a plain string prefix, so '/models/a/' never takes '/models/a/b/' along with it.
 */
export async function deleteCachedModel(prefix: string, cache?: ListableCache | null): Promise<number> {
  const c = cache === undefined ? await openModelCache() : cache;
  if (!c) return 0;
  const model = (await listCachedModels(c)).find((m) => m.prefix === prefix);
  if (!model) return 0;
  let deleted = 0;
  for (const f of model.files) if (await c.delete(f.url)) deleted++;
  return deleted;
}

function splitCachedUrl(url: string, fileHeader: string | null): { prefix: string; file: string } {
  let file: string | null = null;
  if (fileHeader !== null) {
    try {
      file = decodeURIComponent(fileHeader);
    } catch {
      file = null;
    }
  }
  if (file !== null) {
    for (const tail of [file.split('/').map(encodeURIComponent).join('/'), file]) {
      if (tail && url.endsWith(tail) && url.length > tail.length) return { prefix: url.slice(0, url.length - tail.length), file };
    }
  }
  // Entries without the header: assume the Hugging Face layout, graphs one folder down in onnx/.
  const onnx = url.lastIndexOf('/onnx/');
  const cut = onnx >= 0 ? onnx + 1 : url.lastIndexOf('/') + 1;
  return { prefix: url.slice(0, cut), file: safeDecode(url.slice(cut)) };
}

function labelFor(prefix: string): string {
  const path = prefix.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const hub = /\/([^/]+\/[^/]+)\/resolve\/[^/]+\/$/.exec(path);
  if (hub) return safeDecode(hub[1]);
  const segments = path.split('/').filter(Boolean);
  return segments.length ? safeDecode(segments[segments.length - 1]) : prefix;
}

// ---------------------------------------------------------------------------------------------

function dedupe(requests: FileRequest[]): FileRequest[] {
  const seen = new Map<string, FileRequest>();
  for (const r of requests) {
    const prev = seen.get(r.file);
    // Asked for twice, once as required: required wins, so a missing file is not silently skipped.
    if (!prev) seen.set(r.file, r);
    else if (prev.optional && !r.optional) seen.set(r.file, { ...prev, optional: false });
  }
  return [...seen.values()];
}

/** Rejects as soon as the signal fires, even when the underlying promise ignores it. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function aborted(): EngineError {
  return new EngineError('ABORTED', 'Cancelled.');
}

function discardBody(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, message } = err as { name?: unknown; message?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || (typeof message === 'string' && /quota/i.test(message));
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    // Node's fetch hides the socket error ("terminated", "fetch failed") behind `cause`.
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

