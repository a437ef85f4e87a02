/**
 * window.harness: engine workers driven through the app's own client and protocol, for browser
 * tests and the engine benchmark (a real worker, a real onnxruntime-web, real model files).
 * Several named workers can be loaded at once, e.g. one on WASM and one on WebGPU.
 */
import { EngineClient } from '../worker/client.ts';
import type { Requests, Responses, RequestKind } from '../worker/protocol.ts';
import type { LoadProgress } from '../engine/modelSource.ts';
import { EngineError } from '../engine/errors.ts';
import { StepTimer } from './stepTimer.ts';

const clients = new Map<string, EngineClient>();
const progressLog = new Map<string, LoadProgress[]>();
const aborts = new Map<string, AbortController>();

function client(name: string): EngineClient {
  let c = clients.get(name);
  if (!c) {
    c = EngineClient.create();
    clients.set(name, c);
  }
  return c;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; file?: string; remedy: string } };

async function call<K extends RequestKind>(name: string, kind: K, payload: Requests[K]): Promise<Outcome<Responses[K]>> {
  const ctl = new AbortController();
  aborts.set(name, ctl);
  if (kind === 'load') progressLog.set(name, []);
  try {
    const value = await client(name).call(kind, payload, { signal: ctl.signal, onProgress: (p) => progressLog.get(name)?.push(p) });
    return { ok: true, value };
  } catch (err) {
    const e = err instanceof EngineError ? err : new EngineError('INTERNAL', String(err));
    return { ok: false, error: { code: e.code, message: e.message, file: e.file, remedy: e.remedy } };
  }
}

const harness = {
  call,
  /** Aborts the request in flight on worker `name` (as a Cancel button does). */
  abort: (name: string) => aborts.get(name)?.abort(),
  progress: (name: string) => progressLog.get(name) ?? [],
  /** URLs currently in the model cache (Cache Storage), with their byte sizes. */
  async cached(): Promise<{ url: string; bytes: number }[]> {
    const out: { url: string; bytes: number }[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        out.push({ url: req.url, bytes: res ? (await res.arrayBuffer()).byteLength : -1 });
      }
    }
    return out;
  },
  async clearCache(): Promise<void> {
    for (const name of await caches.keys()) await caches.delete(name);
  },
  /**
   * Scores `pairs` repeatedly on worker `name` for at least `minMs` and `minIters` rounds and
   * returns the real (unpadded) tokens processed and the time taken, measured in the page.
   */
  async timeScore(name: string, pairs: Requests['score']['pairs'], minMs: number, minIters: number) {
    const tokens = pairs.reduce((s, p) => s + p.context.length + p.continuation.length - 1, 0);
    let iters = 0;
    const t0 = performance.now();
    while (iters < minIters || performance.now() - t0 < minMs) {
      await client(name).call('score', { pairs });
      iters++;
    }
    const ms = performance.now() - t0;
    return { tokens: tokens * iters, ms, iters };
  },
  /**
   * Runs an iPrompt search on worker `name` and times its steps after the first (StepTimer),
   * measured in the page; the search is cancelled once timed.
   */
  async timeSteps(name: string, run: Requests['explain'], minMs: number) {
    const timer = new StepTimer(minMs);
    const ctl = new AbortController();
    try {
      await client(name).call('explain', run, { signal: ctl.signal, onSearch: (e) => e.type === 'step' && timer.step() && ctl.abort() });
    } catch (err) {
      if (!(err instanceof EngineError && err.code === 'ABORTED')) throw err;
    }
    return timer.result();
  },
  terminate(name: string): void {
    clients.get(name)?.terminate();
    clients.delete(name);
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.getElementById('log')!.textContent = 'ready';
