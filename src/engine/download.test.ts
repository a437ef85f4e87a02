import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from './errors.ts';
import { DEFAULT_HUB_URL, type LoadProgress } from './modelSource.ts';
import {
  deleteCachedModel,
  fetchFiles,
  hubUrl,
  listCachedModels,
  MODEL_CACHE_NAME,
  openModelCache,
  type FileRequest,
  type ListableCache,
} from './download.ts';

// ---------------------------------------------------------------------------------------------
// A local server with the failure modes a real download meets.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic, non-repeating-ish content so a shifted or truncated copy cannot pass. */
function pattern(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const CONFIG = new TextEncoder().encode('{"model_type":"test","hidden_size":8}');
const TOKENIZER = pattern(2000, 2);
const MODEL = pattern(100_000, 3);
const NOLEN = pattern(3000, 4);
const CUT = pattern(1000, 5);
const DELAYED = pattern(100, 6);

const hits = new Map<string, number>();
let inFlight = 0;
let maxInFlight = 0;
let cutServesFully = false;
let slowClosed = false;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  hits.set(path, (hits.get(path) ?? 0) + 1);
  const send = (body: Uint8Array, type = 'application/octet-stream') => {
    res.writeHead(200, { 'content-type': type, 'content-length': body.length });
    res.end(body);
  };

  if (path === '/m/config.json' || path === '/hub/org/tiny/resolve/main/config.json') return send(CONFIG, 'application/json');
  if (path === '/m/tokenizer.json') return send(TOKENIZER, 'application/json');
  if (path === '/hub/org/tiny/resolve/main/onnx/model.onnx') return send(TOKENIZER);
  if (path === '/m/onnx/model.onnx') {
    // Ten chunks over ~200 ms, so progress has something to throttle.
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': MODEL.length });
    void (async () => {
      for (let i = 0; i < 10; i++) {
        res.write(MODEL.subarray(i * 10_000, (i + 1) * 10_000));
        await sleep(20);
      }
      res.end();
    })();
    return;
  }
  if (path === '/m/nolen.bin') {
    // No Content-Length: Node sends it chunked.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    void (async () => {
      for (let i = 0; i < 3; i++) {
        res.write(NOLEN.subarray(i * 1000, (i + 1) * 1000));
        await sleep(100);
      }
      res.end();
    })();
    return;
  }
  if (path === '/m/cut.bin') {
    if (cutServesFully) return send(CUT);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1000 });
    res.write(CUT.subarray(0, 500), () => setTimeout(() => res.socket?.destroy(), 30));
    return;
  }
  if (path === '/m/chunk-cut.bin') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(CUT.subarray(0, 300), () => setTimeout(() => res.socket?.destroy(), 30));
    return;
  }
  if (path === '/m/slow.bin') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1_000_000 });
    res.write(pattern(1000, 7));
    res.on('close', () => {
      slowClosed = true;
    });
    // Never finishes on its own; the test's abort has to end it.
    return;
  }
  if (path.startsWith('/d/')) {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    setTimeout(() => send(DELAYED), 150);
    return;
  }
  if (path === '/m/gone.json') {
    res.writeHead(410);
    res.end('gone');
    return;
  }
  if (path === '/m/broken.json') {
    res.writeHead(500, 'Internal Server Error');
    res.end('boom');
    return;
  }
  res.writeHead(404);
  res.end('not found');
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hits.clear();
  inFlight = 0;
  maxInFlight = 0;
  cutServesFully = false;
  slowClosed = false;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

// ---------------------------------------------------------------------------------------------
// An in-memory stand-in for Cache Storage, which Node lacks.

interface Entry {
  bytes: Uint8Array<ArrayBuffer>;
  headers: [string, string][];
}

class MemoryCache implements ListableCache {
  readonly entries = new Map<string, Entry>();
  readonly puts: string[] = [];
  readonly deletes: string[] = [];
  matches = 0;

  async match(url: string): Promise<Response | undefined> {
    this.matches++;
    const e = this.entries.get(url);
    return e ? new Response(e.bytes.slice(), { headers: e.headers }) : undefined;
  }

  async put(url: string, res: Response): Promise<void> {
    this.puts.push(url);
    this.entries.set(url, { bytes: new Uint8Array(await res.arrayBuffer()), headers: [...res.headers] });
  }

  async delete(url: string): Promise<boolean> {
    this.deletes.push(url);
    return this.entries.delete(url);
  }

  async keys(): Promise<Request[]> {
    return [...this.entries.keys()].map((u) => new Request(u));
  }
}

/** Fills the cache halfway and then runs out of room, as a browser can. */
class FullCache extends MemoryCache {
  override async put(url: string, res: Response): Promise<void> {
    this.puts.push(url);
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.entries.set(url, { bytes: bytes.slice(0, bytes.length >> 1), headers: [...res.headers] });
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}

const u = (p: string) => `${base}${p}`;
const req = (file: string, path: string, optional?: boolean): FileRequest => ({ file, url: u(path), ...(optional ? { optional } : {}) });

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected a rejection');
}

// ---------------------------------------------------------------------------------------------

describe('hubUrl', () => {
  it('fills id as is and encodes each file segment, keeping the slashes', () => {
    expect(hubUrl(DEFAULT_HUB_URL, 'onnx-community/Qwen2.5-0.5B-Instruct', 'onnx/model_q4.onnx')).toBe(
      'https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/resolve/main/onnx/model_q4.onnx',
    );
    expect(hubUrl('http://h/{id}/x/{file}?d=1', 'a/b', 'dir one/f#1.json')).toBe('http://h/a/b/x/dir%20one/f%231.json?d=1');
    // '$&' in a replacement string would re-insert the match; the id must come through literally.
    expect(hubUrl('{id}|{file}', 'o/$&', 'c.json')).toBe('o/$&|c.json');
  });
});

describe('fetchFiles', () => {
  it('returns exact bytes for every file, in request order', async () => {
    const out = await fetchFiles([req('config.json', '/m/config.json'), req('onnx/model.onnx', '/m/onnx/model.onnx'), req('tokenizer.json', '/m/tokenizer.json')], {
      cache: null,
    });
    expect([...out.keys()]).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json']);
    expect(out.get('config.json')).toEqual(CONFIG);
    expect(out.get('onnx/model.onnx')).toEqual(MODEL);
    expect(out.get('tokenizer.json')).toEqual(TOKENIZER);
  });

  it('(1) fetches at most four files at once', async () => {
    const requests = Array.from({ length: 10 }, (_, i) => req(`f${i}.bin`, `/d/${i}.bin`));
    const out = await fetchFiles(requests, { cache: null });
    expect(out.size).toBe(10);
    for (const bytes of out.values()) expect(bytes).toEqual(DELAYED);
    // Counted by the server: four at once (not one after another, not all ten).
    expect(maxInFlight).toBe(4);
  });

  it('(1) serves a second load from the cache without any request, reporting fromCache', async () => {
    const cache = new MemoryCache();
    const requests = [req('config.json', '/m/config.json'), req('tokenizer.json', '/m/tokenizer.json'), req('onnx/model.onnx', '/m/onnx/model.onnx')];
    await fetchFiles(requests, { cache });
    expect(cache.puts).toEqual(expect.arrayContaining(requests.map((r) => r.url)));
    expect(cache.puts).toHaveLength(3);
    expect(hits.get('/m/onnx/model.onnx')).toBe(1);

    const stored = cache.entries.get(u('/m/onnx/model.onnx'))!;
    expect(new Map(stored.headers).get('content-length')).toBe('100000');
    expect(new Map(stored.headers).get('content-type')).toBe('application/octet-stream');
    expect(new Map(cache.entries.get(u('/m/config.json'))!.headers).get('content-type')).toBe('application/json');

    hits.clear();
    const fetchImpl = vi.fn<typeof fetch>((input, init) => fetch(input, init));
    const events: LoadProgress[] = [];
    const out = await fetchFiles(requests, { cache, fetchImpl, onProgress: (p) => events.push(p) });
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(hits.size).toBe(0);
    expect(out.get('onnx/model.onnx')).toEqual(MODEL);
    expect(out.get('config.json')).toEqual(CONFIG);
    const last = events[events.length - 1];
    expect(last.files.map((f) => [f.file, f.fromCache, f.done, f.loaded])).toEqual([
      ['config.json', true, true, CONFIG.length],
      ['tokenizer.json', true, true, 2000],
      ['onnx/model.onnx', true, true, 100_000],
    ]);
    expect(last.loaded).toBe(CONFIG.length + 2000 + 100_000);
    expect(last.total).toBe(CONFIG.length + 2000 + 100_000);
  });

  it('uses the Cache Storage named MODEL_CACHE_NAME by default, and none where it is missing', async () => {
    expect(await openModelCache()).toBeNull();
    await fetchFiles([req('config.json', '/m/config.json')]);

    const cache = new MemoryCache();
    const opened: string[] = [];
    vi.stubGlobal('caches', { open: async (name: string) => (opened.push(name), cache) });
    await fetchFiles([req('config.json', '/m/config.json')]);
    expect(opened).toEqual([MODEL_CACHE_NAME]);
    expect(cache.puts).toEqual([u('/m/config.json')]);
    expect(hits.get('/m/config.json')).toBe(2);
  });

  it('(2) reports per-file and overall bytes, throttled, total unknown until every size is', async () => {
    const events: { at: number; p: LoadProgress }[] = [];
    // A clock the test moves: 20 ms per reading, so the 50 ms throttle drops some updates, and
    // which ones depends on the readings only, never on how busy the machine is.
    let clock = 0;
    const now = () => (clock += 20);
    await fetchFiles([req('config.json', '/m/config.json'), req('onnx/model.onnx', '/m/onnx/model.onnx'), req('nolen.bin', '/m/nolen.bin')], {
      cache: null,
      now,
      onProgress: (p) => events.push({ at: clock, p }),
    });
    const sum = CONFIG.length + 100_000 + 3000;

    const last = events[events.length - 1].p;
    expect(last.loaded).toBe(sum);
    expect(last.total).toBe(sum);
    expect(last.files).toEqual([
      { file: 'config.json', loaded: CONFIG.length, total: CONFIG.length, fromCache: false, done: true },
      { file: 'onnx/model.onnx', loaded: 100_000, total: 100_000, fromCache: false, done: true },
      { file: 'nolen.bin', loaded: 3000, total: 3000, fromCache: false, done: true },
    ]);

    const nolen = (p: LoadProgress) => p.files.find((f) => f.file === 'nolen.bin')!;
    const model = (p: LoadProgress) => p.files.find((f) => f.file === 'onnx/model.onnx')!;
    for (const { p } of events) {
      if (!nolen(p).done) {
        // The chunked file's size is unknown until it ends, so the overall total is too.
        expect(nolen(p).total).toBeNull();
        expect(p.total).toBeNull();
      }
      expect(p.loaded).toBe(p.files.reduce((s, f) => s + f.loaded, 0));
    }
    // The graph streamed: some event saw it part-way with its Content-Length as total.
    expect(events.some(({ p }) => model(p).loaded > 0 && model(p).loaded < 100_000 && model(p).total === 100_000)).toBe(true);
    expect(events.some(({ p }) => nolen(p).loaded > 0 && nolen(p).loaded < 3000)).toBe(true);

    // Throttle: outside file completions, calls are at least 50 ms of the clock apart.
    const doneCount = (p: LoadProgress) => p.files.filter((f) => f.done).length;
    let throttledOut = 0;
    for (let i = 1; i < events.length; i++) {
      if (doneCount(events[i].p) > doneCount(events[i - 1].p)) continue;
      expect(events[i].at - events[i - 1].at).toBeGreaterThanOrEqual(50);
      throttledOut++;
    }
    expect(throttledOut).toBeGreaterThan(0);

    // A frozen clock: only the first call and the file completions get through.
    const frozen: LoadProgress[] = [];
    await fetchFiles([req('config.json', '/m/config.json'), req('onnx/model.onnx', '/m/onnx/model.onnx')], { cache: null, now: () => 0, onProgress: (p) => frozen.push(p) });
    expect(frozen.map((p) => doneCount(p))).toEqual([0, 1, 2]);

    // A pending throttled update never fires after the call has settled.
    const settled = events.length;
    await sleep(120);
    expect(events.length).toBe(settled);
  });

  it('(2) an update dropped by the throttle is sent late, so a stalled download still shows its bytes', async () => {
    const ctl = new AbortController();
    const events: LoadProgress[] = [];
    const p = fetchFiles([req('config.json', '/m/config.json'), req('slow.bin', '/m/slow.bin')], {
      cache: null,
      signal: ctl.signal,
      onProgress: (prog) => events.push(prog),
    });
    await sleep(400);
    ctl.abort();
    await rejection(p);
    const slow = events[events.length - 1].files.find((f) => f.file === 'slow.bin')!;
    expect(slow).toEqual({ file: 'slow.bin', loaded: 1000, total: 1_000_000, fromCache: false, done: false });
  });

  it('(3) a body cut off before Content-Length is an error naming the bytes, not cached; the next load refetches', async () => {
    const cache = new MemoryCache();
    const err = await rejection(fetchFiles([req('onnx/cut.bin', '/m/cut.bin')], { cache }));
    expect(err.code).toBe('NETWORK');
    expect(err.file).toBe('onnx/cut.bin');
    expect(err.message).toContain('onnx/cut.bin');
    expect(err.message).toContain('after 500 of 1000 bytes');
    expect(cache.puts).toEqual([]);
    expect(cache.entries.size).toBe(0);
    expect(hits.get('/m/cut.bin')).toBe(1);

    cutServesFully = true;
    const out = await fetchFiles([req('onnx/cut.bin', '/m/cut.bin')], { cache });
    expect(out.get('onnx/cut.bin')).toEqual(CUT);
    expect(hits.get('/m/cut.bin')).toBe(2);
    expect(cache.entries.get(u('/m/cut.bin'))!.bytes).toEqual(CUT);

    // And now it comes from the cache.
    await fetchFiles([req('onnx/cut.bin', '/m/cut.bin')], { cache });
    expect(hits.get('/m/cut.bin')).toBe(2);
  });

  it('(3) a stream that errors mid-way without a length is an error, not cached', async () => {
    const cache = new MemoryCache();
    const err = await rejection(fetchFiles([req('chunk.bin', '/m/chunk-cut.bin')], { cache }));
    expect(err.code).toBe('NETWORK');
    expect(err.file).toBe('chunk.bin');
    expect(err.message).toContain('after 300 of an unknown number of bytes');
    expect(cache.entries.size).toBe(0);
    expect(cache.puts).toEqual([]);
  });

  it('(3) a body that ends cleanly but short of Content-Length is an error, not cached', async () => {
    const cache = new MemoryCache();
    const fetchImpl: typeof fetch = async () => new Response(CUT.slice(0, 400), { headers: { 'content-length': '1000' } });
    const err = await rejection(fetchFiles([{ file: 'short.bin', url: 'http://unused.invalid/short.bin' }], { cache, fetchImpl }));
    expect(err.code).toBe('NETWORK');
    expect(err.file).toBe('short.bin');
    expect(err.message).toBe('short.bin: download ended after 400 of 1000 bytes');
    expect(cache.entries.size).toBe(0);
  });

  it('(4) a missing required file is BAD_MODEL; missing optional ones are just absent', async () => {
    const out = await fetchFiles(
      [req('config.json', '/m/config.json'), req('generation_config.json', '/m/missing.json', true), req('tokenizer_config.json', '/m/gone.json', true)],
      { cache: null },
    );
    expect([...out.keys()]).toEqual(['config.json']);
    expect(hits.get('/m/missing.json')).toBe(1);
    expect(hits.get('/m/gone.json')).toBe(1);

    const url = u('/m/missing.json');
    const err = await rejection(fetchFiles([req('config.json', '/m/config.json'), { file: 'tokenizer.json', url }], { cache: null }));
    expect(err.code).toBe('BAD_MODEL');
    expect(err.file).toBe('tokenizer.json');
    expect(err.message).toBe(`tokenizer.json not found at ${url} (HTTP 404)`);

    const gone = await rejection(fetchFiles([req('tokenizer.json', '/m/gone.json')], { cache: null }));
    expect(gone.code).toBe('BAD_MODEL');
    expect(gone.message).toBe(`tokenizer.json not found at ${u('/m/gone.json')} (HTTP 410)`);
  });

  it('(4) missing optional files end up done with zero size, so the overall total becomes known', async () => {
    const events: LoadProgress[] = [];
    await fetchFiles([req('config.json', '/m/config.json'), req('generation_config.json', '/m/missing.json', true)], {
      cache: null,
      onProgress: (p) => events.push(p),
    });
    const last = events[events.length - 1];
    expect(last.total).toBe(CONFIG.length);
    expect(last.files[1]).toEqual({ file: 'generation_config.json', loaded: 0, total: 0, fromCache: false, done: true });
  });

  it('(4) other HTTP errors and connection failures are NETWORK, naming the file', async () => {
    const err = await rejection(fetchFiles([req('config.json', '/m/broken.json')], { cache: null }));
    expect(err.code).toBe('NETWORK');
    expect(err.file).toBe('config.json');
    expect(err.message).toBe(`config.json: HTTP 500 Internal Server Error from ${u('/m/broken.json')}`);

    // A port nobody listens on: fetch rejects with a TypeError.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await rejection(fetchFiles([{ file: 'onnx/model.onnx', url: `http://127.0.0.1:${port}/model.onnx` }], { cache: null }));
    expect(refused.code).toBe('NETWORK');
    expect(refused.file).toBe('onnx/model.onnx');
    expect(refused.message).toMatch(/^onnx\/model\.onnx: could not fetch http:\/\/127\.0\.0\.1:\d+\/model\.onnx \(fetch failed/);
  });

  it('(4) one failing file stops the others promptly', async () => {
    const err = await rejection(fetchFiles([req('slow.bin', '/m/slow.bin'), req('tokenizer.json', '/m/missing.json')], { cache: null }));
    expect(err.code).toBe('BAD_MODEL');
    // The slow download is not left running: the server sees its connection closed.
    await vi.waitFor(() => expect(slowClosed).toBe(true), { timeout: 2000 });
  });

  it('(5) abort mid-download rejects promptly with ABORTED, closes the connection, caches nothing', async () => {
    const cache = new MemoryCache();
    const ctl = new AbortController();
    let abortRequested = false;
    const p = fetchFiles([req('config.json', '/m/config.json'), req('slow.bin', '/m/slow.bin')], {
      cache,
      signal: ctl.signal,
      onProgress: (prog) => {
        const slow = prog.files.find((f) => f.file === 'slow.bin')!;
        if (slow.loaded > 0 && !ctl.signal.aborted) {
          abortRequested = true;
          // Off the progress callback, as a UI button would.
          setTimeout(() => ctl.abort(), 0);
        }
      },
    });
    const err = await rejection(p);
    expect(err.code).toBe('ABORTED');
    expect(abortRequested).toBe(true);
    expect(cache.entries.has(u('/m/slow.bin'))).toBe(false);
    expect(cache.puts).not.toContain(u('/m/slow.bin'));
    await vi.waitFor(() => expect(slowClosed).toBe(true), { timeout: 2000 });
  }, 5000);

  it('(5) abort also stops a body whose fetch ignores the signal', async () => {
    const ctl = new AbortController();
    let cancelled = false;
    const fetchImpl: typeof fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new Uint8Array(10));
          },
          cancel() {
            cancelled = true;
          },
        }),
        { headers: { 'content-length': '100' } },
      );
    const p = fetchFiles([{ file: 'stuck.bin', url: 'http://unused.invalid/stuck.bin' }], { cache: null, signal: ctl.signal, fetchImpl });
    setTimeout(() => ctl.abort(), 30);
    // Settles although the stream would never end by itself (the test's 5 s limit would catch a hang).
    const err = await rejection(p);
    expect(err.code).toBe('ABORTED');
    await vi.waitFor(() => expect(cancelled).toBe(true));
  }, 5000);

  it('(5) an already-aborted signal makes no request', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const err = await rejection(fetchFiles([req('config.json', '/m/config.json')], { cache: null, signal: ctl.signal }));
    expect(err.code).toBe('ABORTED');
    expect(hits.size).toBe(0);
  });

  it('(6) a full cache is QUOTA naming the file and its size, and leaves no partial entry', async () => {
    const cache = new FullCache();
    const err = await rejection(fetchFiles([req('onnx/model.onnx', '/m/onnx/model.onnx')], { cache }));
    expect(err.code).toBe('QUOTA');
    expect(err.file).toBe('onnx/model.onnx');
    expect(err.message).toContain('onnx/model.onnx');
    expect(err.message).toContain('100000 bytes');
    expect(cache.puts).toEqual([u('/m/onnx/model.onnx')]);
    expect(cache.deletes).toEqual([u('/m/onnx/model.onnx')]);
    expect(cache.entries.size).toBe(0);
  });

  it('(6) other cache write failures only cost the caching', async () => {
    const cache = new MemoryCache();
    cache.put = async () => {
      throw new DOMException('Cache went away', 'InvalidStateError');
    };
    const out = await fetchFiles([req('config.json', '/m/config.json')], { cache });
    expect(out.get('config.json')).toEqual(CONFIG);
  });

  it('(7) a cached copy whose length disagrees with its header is deleted and refetched', async () => {
    const cache = new MemoryCache();
    const url = u('/m/tokenizer.json');
    cache.entries.set(url, { bytes: TOKENIZER.slice(0, 10), headers: [['content-length', '2000']] });
    const out = await fetchFiles([req('tokenizer.json', '/m/tokenizer.json')], { cache });
    expect(out.get('tokenizer.json')).toEqual(TOKENIZER);
    expect(hits.get('/m/tokenizer.json')).toBe(1);
    expect(cache.deletes).toEqual([url]);
    expect(cache.entries.get(url)!.bytes).toEqual(TOKENIZER);

    // A copy with no length at all was not written by us and is not trusted either.
    cache.entries.set(url, { bytes: TOKENIZER.slice(), headers: [] });
    await fetchFiles([req('tokenizer.json', '/m/tokenizer.json')], { cache });
    expect(hits.get('/m/tokenizer.json')).toBe(2);
    expect(new Map(cache.entries.get(url)!.headers).get('content-length')).toBe('2000');
  });
});

describe('cached models', () => {
  it('lists cached files grouped by model folder with sizes, and deletes one model', async () => {
    const cache = new MemoryCache();
    const tpl = `${base}/hub/{id}/resolve/main/{file}`;
    await fetchFiles(
      [
        { file: 'config.json', url: hubUrl(tpl, 'org/tiny', 'config.json') },
        { file: 'onnx/model.onnx', url: hubUrl(tpl, 'org/tiny', 'onnx/model.onnx') },
      ],
      { cache },
    );
    await fetchFiles([req('config.json', '/m/config.json'), req('onnx/model.onnx', '/m/onnx/model.onnx')], { cache });

    const models = await listCachedModels(cache);
    expect(models).toEqual([
      {
        prefix: `${base}/m/`,
        label: 'm',
        bytes: CONFIG.length + 100_000,
        files: [
          { file: 'config.json', url: u('/m/config.json'), bytes: CONFIG.length },
          { file: 'onnx/model.onnx', url: u('/m/onnx/model.onnx'), bytes: 100_000 },
        ],
      },
      {
        prefix: `${base}/hub/org/tiny/resolve/main/`,
        label: 'org/tiny',
        bytes: CONFIG.length + 2000,
        files: [
          { file: 'config.json', url: u('/hub/org/tiny/resolve/main/config.json'), bytes: CONFIG.length },
          { file: 'onnx/model.onnx', url: u('/hub/org/tiny/resolve/main/onnx/model.onnx'), bytes: 2000 },
        ],
      },
    ]);

    expect(await deleteCachedModel(`${base}/hub/org/tiny/resolve/main/`, cache)).toBe(2);
    expect([...cache.entries.keys()].sort()).toEqual([u('/m/config.json'), u('/m/onnx/model.onnx')]);
    expect(await deleteCachedModel(`${base}/nothing/`, cache)).toBe(0);
    expect((await listCachedModels(cache)).map((m) => m.label)).toEqual(['m']);
  });

  it('groups entries written without the file header by the onnx/ layout', async () => {
    const cache = new MemoryCache();
    cache.entries.set('http://x/models/a/config.json', { bytes: new Uint8Array(5), headers: [['content-length', '5']] });
    cache.entries.set('http://x/models/a/onnx/model.onnx', { bytes: new Uint8Array(7), headers: [['content-length', '7']] });
    const models = await listCachedModels(cache);
    expect(models).toEqual([
      {
        prefix: 'http://x/models/a/',
        label: 'a',
        bytes: 12,
        files: [
          { file: 'config.json', url: 'http://x/models/a/config.json', bytes: 5 },
          { file: 'onnx/model.onnx', url: 'http://x/models/a/onnx/model.onnx', bytes: 7 },
        ],
      },
    ]);
  });

  it('lists nothing without a cache', async () => {
    expect(await listCachedModels()).toEqual([]);
    expect(await deleteCachedModel('http://x/')).toBe(0);
  });
});
