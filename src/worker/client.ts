/**
 * The UI side of the worker protocol: one method per request kind, typed by the protocol, with
 * progress callbacks and AbortSignal cancellation (which sends a `cancel` to the worker).
 */
import { EngineError, type SerializedEngineError } from '../engine/errors.ts';
import type { LoadProgress } from '../engine/modelSource.ts';
import type { Request, RequestKind, Requests, Responses, WorkerMessage } from './protocol.ts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: EngineError) => void;
  onProgress?: (p: LoadProgress) => void;
  onTokens?: (t: { tokens: number; elapsedMs: number }) => void;
  onSearch?: (e: SearchMessage) => void;
}

type SearchMessage = Extract<WorkerMessage, { type: 'search' }>['payload'];

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  onTokens?: (t: { tokens: number; elapsedMs: number }) => void;
  /** Search events of an explain request. */
  onSearch?: (e: SearchMessage) => void;
  /** Receives the request id as soon as it is sent (to pause, resume or stop an explain request). */
  onId?: (id: string) => void;
}

export function errorFrom(e: SerializedEngineError): EngineError {
  return new EngineError(e.code, e.message, { file: e.file, remedy: e.remedy });
}

export class EngineClient {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(private readonly worker: Pick<Worker, 'postMessage' | 'addEventListener' | 'terminate'>) {
    worker.addEventListener('message', (e) => this.onMessage((e as MessageEvent<WorkerMessage>).data));
    worker.addEventListener('error', (e) => {
      const err = new EngineError('INTERNAL', `The engine worker crashed: ${(e as ErrorEvent).message ?? 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  static create(): EngineClient {
    return new EngineClient(new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' }));
  }

  call<K extends RequestKind>(kind: K, payload: Requests[K], opts: CallOptions = {}): Promise<Responses[K]> {
    const id = `r${this.nextId++}`;
    return new Promise<Responses[K]>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new EngineError('ABORTED', 'Cancelled.'));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress, onTokens: opts.onTokens, onSearch: opts.onSearch });
      opts.onId?.(id);
      opts.signal?.addEventListener('abort', () => this.worker.postMessage({ kind: 'cancel', id: `r${this.nextId++}`, payload: { target: id } } satisfies Request), { once: true });
      this.worker.postMessage({ kind, id, payload } as Request);
    });
  }

  private onMessage(msg: WorkerMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return; // replies to cancel requests nobody awaits
    switch (msg.type) {
      case 'progress':
        p.onProgress?.(msg.payload);
        return;
      case 'tokens':
        p.onTokens?.(msg.payload);
        return;
      case 'search':
        p.onSearch?.(msg.payload);
        return;
      case 'result':
        this.pending.delete(msg.id);
        p.resolve(msg.payload);
        return;
      case 'error':
        this.pending.delete(msg.id);
        p.reject(errorFrom(msg.error));
        return;
    }
  }

  /** Ends the worker; calls still waiting are rejected (ABORTED) rather than left hanging. */
  terminate(): void {
    this.worker.terminate();
    const err = new EngineError('ABORTED', 'The engine was replaced or closed before this finished.');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
