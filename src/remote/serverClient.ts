/**
 * HTTP to an OpenAI-compatible server: JSON requests with a timeout per attempt, retries with
 * backoff on 429, 5xx, dropped connections and timeouts, a bound on requests in flight, and
 * failures named so a person can act on them (the API key, the CORS flag, the URL).
 */
import { errorMessage } from './vllmProtocol.ts';

export type RemoteErrorCode =
  | 'UNREACHABLE'
  | 'CORS'
  | 'TIMEOUT'
  | 'AUTH'
  | 'HTTP'
  | 'NOT_OPENAI'
  | 'MODEL_NOT_SERVED'
  | 'NO_PROMPT_LOGPROBS'
  | 'BAD_RESPONSE'
  | 'TOKENIZER_MISMATCH'
  | 'NO_TOKENIZER';

export class RemoteError extends Error {
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    readonly remedy: string,
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RemoteError';
    this.status = opts.status;
  }
  readonly status?: number;
  /** A Retry-After the server sent with a 429 or 503, ms. */
  retryAfterMs?: number;
}

export interface ClientOptions {
  /** The server's address, e.g. http://gpu-box:8000 (a trailing /v1 is accepted). */
  url: string;
  /** Sent as "Authorization: Bearer KEY" (vLLM's --api-key). */
  apiKey?: string;
  /** Per attempt, ms (default 120,000: a long scoring batch on a busy server). */
  timeoutMs?: number;
  /** Attempts after the first, on 429/5xx/timeouts/dropped connections (default 4). */
  retries?: number;
  /** First backoff, ms, doubled per retry (default 500); a Retry-After header wins, up to 30 s. */
  backoffMs?: number;
  /** Requests in flight at once (default 8). */
  maxInFlight?: number;
  fetchImpl?: typeof fetch;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

/** http://host:8000, http://host:8000/ and http://host:8000/v1 all name the same server. */
export function serverBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new RemoteError('UNREACHABLE', `"${url}" is not a URL.`, 'Give the server as http://HOST:PORT (vLLM listens on port 8000 by default).');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RemoteError('UNREACHABLE', `"${url}" is not an http(s) URL.`, 'Give the server as http://HOST:PORT.');
  const path = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${u.origin}${path}`;
}

const abortError = () => Object.assign(new Error('Cancelled.'), { name: 'AbortError' });

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(t), reject(abortError()));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The page's origin where there is one (a browser tab or its worker); null in Node. */
function pageOrigin(): string | null {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return typeof loc?.origin === 'string' && loc.origin !== 'null' ? loc.origin : null;
}

export class ServerClient {
  readonly base: string;
  private readonly opts: Required<Omit<ClientOptions, 'apiKey' | 'fetchImpl' | 'url'>>;
  private readonly fetchImpl: typeof fetch;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Retries made so far (shown with the run's figures; counted by the tests). */
  retriesMade = 0;

  constructor(private readonly options: ClientOptions) {
    this.base = serverBase(options.url);
    this.opts = { timeoutMs: options.timeoutMs ?? 120_000, retries: options.retries ?? 4, backoffMs: options.backoffMs ?? 500, maxInFlight: options.maxInFlight ?? 8 };
    this.fetchImpl = options.fetchImpl ?? ((...a) => fetch(...a));
  }

  get maxInFlight(): number {
    return this.opts.maxInFlight;
  }

  get retries(): number {
    return this.opts.retries;
  }

  /** GET or POST JSON at `path` (from the server's root, e.g. "/v1/completions"); retried as above. */
  async json<T = unknown>(path: string, body?: unknown, signal?: AbortSignal, retries = this.opts.retries): Promise<T> {
    await this.acquire(signal);
    try {
      return await this.withRetries<T>(path, body, signal, retries);
    } finally {
      this.release();
    }
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    while (this.inFlight >= this.opts.maxInFlight) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (signal?.aborted) {
        // The slot this wake-up stood for goes to the next in line, or it would wait for ever.
        this.waiting.shift()?.();
        throw abortError();
      }
    }
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  private async withRetries<T>(path: string, body: unknown, signal: AbortSignal | undefined, retries: number): Promise<T> {
    const url = this.base + path;
    let last: RemoteError | null = null;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        this.retriesMade++;
        await sleep(last?.retryAfterMs ?? this.opts.backoffMs * 2 ** (attempt - 1), signal);
      }
      const res = await this.once(url, body, signal);
      if ('value' in res) return res.value as T;
      last = res.error;
      if (!res.retry) throw res.error;
    }
    const tries = retries + 1;
    throw new RemoteError(last!.code, `${last!.message} (${tries} ${tries === 1 ? 'try' : 'tries'})`, last!.remedy, { status: last!.status, cause: last });
  }

  private async once(url: string, body: unknown, signal?: AbortSignal): Promise<{ value: unknown } | { error: RemoteError; retry: boolean }> {
    if (signal?.aborted) throw abortError();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.opts.timeoutMs);
    const onAbort = () => timeout.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`;
    try {
      let res: Response;
      try {
        res = await this.fetchImpl(url, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body), signal: timeout.signal });
      } catch (err) {
        if (signal?.aborted) throw abortError();
        if (timeout.signal.aborted) return { error: this.timedOut(url), retry: true };
        const e = await this.unreachable(url, err);
        return { error: e, retry: e.code === 'UNREACHABLE' };
      }
      const text = await res.text().catch((err) => {
        if (signal?.aborted) throw abortError();
        return timeout.signal.aborted ? null : Promise.reject(err);
      });
      if (text === null) return { error: this.timedOut(url), retry: true };
      if (res.ok) {
        try {
          return { value: JSON.parse(text) };
        } catch {
          return { error: new RemoteError('BAD_RESPONSE', `${url} answered with something that is not JSON: ${text.slice(0, 120)}`, 'Check that the URL is the vLLM server itself, not a page in front of it.'), retry: false };
        }
      }
      const message = errorMessage(text);
      if (RETRY_STATUS.has(res.status)) {
        const e = new RemoteError('HTTP', `${url} answered ${res.status}${message ? `: ${message}` : ''}`, 'The server is busy or failing; try again later, or lower the requests in flight.', { status: res.status });
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after > 0) e.retryAfterMs = Math.min(after * 1000, 30_000);
        return { error: e, retry: true };
      }
      if (res.status === 401 || res.status === 403) return { error: new RemoteError('AUTH', `${url} refused the request (${res.status}${message ? `: ${message}` : ''}).`, 'Give the API key the server was started with (vLLM: --api-key).', { status: res.status }), retry: false };
      return { error: new RemoteError('HTTP', `${url} answered ${res.status}${message ? `: ${message}` : ''}`, 'Check the server address, the model name and the server log.', { status: res.status }), retry: false };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private timedOut(url: string): RemoteError {
    return new RemoteError('TIMEOUT', `${url} gave no answer within ${Math.round(this.opts.timeoutMs / 1000)} s`, 'The server may be overloaded or the model still loading; try again, or allow a longer timeout.');
  }

  /**
   * A request that got no response. In a page, a server that refuses the page's origin (CORS)
   * fails the same way as one that is down. An opaque no-cors request tells them apart where the
   * page may make one (it succeeds when the server answers at all); a cross-origin isolated page
   * (this app, for WASM threads) may not, so there the message names both causes and both fixes.
   */
  private async unreachable(url: string, err: unknown): Promise<RemoteError> {
    const origin = pageOrigin();
    const corsFix = (o: string) => `start vLLM with --allowed-origins '["${o}"]' (its default, ["*"], allows every page)`;
    if (origin) {
      try {
        await this.fetchImpl(url, { mode: 'no-cors', method: 'GET' });
        return new RemoteError('CORS', `${this.base} answered, but does not let this page (${origin}) read its answers (CORS).`, `To allow it, ${corsFix(origin)}.`, { cause: err });
      } catch {
        /* down, or the probe itself was refused: say both */
      }
      const mixed = origin.startsWith('https:') && this.base.startsWith('http:') ? ` A page served over https cannot call an http server (mixed content): serve vLLM over https (--ssl-keyfile, --ssl-certfile) or open this app from http://localhost.` : '';
      return new RemoteError(
        'UNREACHABLE',
        `Cannot reach ${this.base} from this page (${origin}): the server is not running or not reachable from this machine, or it refuses this page's origin (CORS).${mixed}`,
        `Check that the server runs and that this machine can reach its address and port; if it does, ${corsFix(origin)}.`,
        { cause: err },
      );
    }
    const detail = (err as { cause?: { code?: string; message?: string } })?.cause;
    return new RemoteError('UNREACHABLE', `Cannot reach ${this.base}${detail?.code ? ` (${detail.code})` : ''}.`, 'Check that the server is running and that this machine can reach its address and port.', { cause: err });
  }
}
