/**
 * TEST FIXTURE, not a server to use: a local HTTP server that speaks the part of vLLM's
 * OpenAI-compatible API the remote backend uses (src/remote/vllmProtocol.ts) and answers from
 * the project's own engine on a local model. The tests run the search through it and compare
 * with the same search on the engine directly, and inject the failures a real server shows
 * (429, 500, hangs, dropped connections, no prompt log-probabilities, another tokenizer, a CORS
 * policy that refuses the page).
 *
 * Where it is not vLLM: a prompt token's `rank` is 1 when it is the most likely token and 2
 * otherwise (the engine reports only whether it is the argmax; the client reads only rank === 1);
 * it samples only what the engine samples (min_tokens = max_tokens, bans as logit_bias <= -100,
 * allowed_token_ids on one-token requests) and answers 400 to anything else, so a client that
 * asked for more would fail here rather than pass silently.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LanguageModelEngine } from '../engine/engine.ts';
import type { TextTokenizer } from '../engine/tokenizer.ts';

export type Fault = { status: number; retryAfterS?: number } | { hang: true } | { drop: true };

export interface FixtureOptions {
  engine: LanguageModelEngine;
  tokenizer: TextTokenizer;
  model: string;
  /** Answers /tokenize with this tokenizer and names tokens with it (a server running another model). */
  serverTokenizer?: TextTokenizer;
  /** Ignores prompt_logprobs, as a server without vLLM's extension does. */
  noPromptLogprobs?: boolean;
  /** No /tokenize route (404). */
  noTokenize?: boolean;
  /** Leaves out `token_ids` (vLLM before 0.10.2): ids only as "token_id:N" logprob names. */
  legacyTokenIds?: boolean;
  /** The only origin allowed to read answers (CORS); default '*'. */
  allowedOrigin?: string;
  apiKey?: string;
  maxModelLen?: number;
  /** Every answer waits this long first (a busy server), so requests overlap as they do on a real one. */
  latencyMs?: number;
}

export interface LoggedRequest {
  path: string;
  body: Record<string, unknown> | null;
}

export class VllmFixtureServer {
  readonly log: LoggedRequest[] = [];
  /** Most requests in flight at once, as seen here. */
  maxConcurrent = 0;
  private inFlight = 0;
  private readonly faults = new Map<string, Fault[]>();
  private server: Server | null = null;
  url = '';

  constructor(readonly opts: FixtureOptions) {}

  /** The next requests to `path` fail like this, in order. */
  inject(path: string, ...faults: Fault[]): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults]);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private cors(req: IncomingMessage, res: ServerResponse): void {
    const allowed = this.opts.allowedOrigin ?? '*';
    const origin = req.headers.origin;
    if (allowed === '*' || origin === allowed) {
      res.setHeader('Access-Control-Allow-Origin', allowed === '*' ? '*' : allowed);
      // As vLLM's CORS middleware (Starlette) with its default ["*"]: the asked-for headers are
      // echoed (a literal * does not cover Authorization), and so are the methods.
      res.setHeader('Access-Control-Allow-Methods', req.headers['access-control-request-method'] ?? 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? '*');
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, status: number, message: string): void {
    this.send(res, status, { error: { message, type: 'BadRequestError', param: null, code: status } });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.cors(req, res);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    // In flight from arrival to the end of the answer (or a dropped connection).
    this.inFlight++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    res.on('close', () => this.inFlight--);
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '/').split('?')[0];
    let body: Record<string, unknown> | null = null;
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return this.fail(res, 400, 'body is not JSON');
      }
    }
    this.log.push({ path, body });
    const fault = this.faults.get(path)?.shift();
    if (fault) {
      if ('hang' in fault) return; // never answers; the client's timeout ends it
      if ('drop' in fault) return void req.socket.destroy();
      return this.send(res, fault.status, { error: { message: `injected ${fault.status}` } }, fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {});
    }
    if (this.opts.apiKey && req.headers.authorization !== `Bearer ${this.opts.apiKey}`) return this.fail(res, 401, 'Unauthorized');
    try {
      if (path === '/v1/models' && req.method === 'GET') {
        return this.send(res, 200, { object: 'list', data: [{ id: this.opts.model, object: 'model', max_model_len: this.opts.maxModelLen ?? 2048 }] });
      }
      if (path === '/tokenize' && req.method === 'POST' && !this.opts.noTokenize) {
        const tok = this.opts.serverTokenizer ?? this.opts.tokenizer;
        const tokens = tok.encode(String(body?.prompt ?? ''), { addSpecialTokens: body?.add_special_tokens !== false });
        return this.send(res, 200, { count: tokens.length, max_model_len: this.opts.maxModelLen ?? 2048, tokens });
      }
      if (path === '/v1/completions' && req.method === 'POST' && body) return await this.completions(res, body);
      return this.send(res, 404, { detail: 'Not Found' });
    } catch (err) {
      return this.fail(res, 500, (err as Error).message);
    }
  }

  private async completions(res: ServerResponse, b: Record<string, unknown>): Promise<void> {
    const { engine } = this.opts;
    const tok = this.opts.serverTokenizer ?? this.opts.tokenizer;
    if (b.model !== this.opts.model) return this.fail(res, 404, `The model \`${String(b.model)}\` does not exist.`);
    const raw = b.prompt;
    if (!Array.isArray(raw) || raw.length === 0) return this.fail(res, 400, 'fixture: prompt must be token ids');
    const prompts = (typeof raw[0] === 'number' ? [raw] : raw) as number[][];
    if (!prompts.every((p) => Array.isArray(p) && p.length > 0 && p.every((t) => Number.isInteger(t) && t >= 0))) return this.fail(res, 400, 'fixture: prompt must be lists of token ids');
    const maxTokens = Number(b.max_tokens ?? 16);
    const minTokens = Number(b.min_tokens ?? 0);
    const temperature = Number(b.temperature ?? 1);
    if (temperature > 0 && minTokens !== maxTokens) return this.fail(res, 400, 'fixture: sampling needs min_tokens = max_tokens (the engine suppresses end-of-sequence throughout)');
    if (temperature > 0 && typeof b.seed !== 'number') return this.fail(res, 400, 'fixture: sampling needs a seed');
    const banned: number[] = [];
    for (const [id, bias] of Object.entries((b.logit_bias ?? {}) as Record<string, number>)) {
      if (bias > -100) return this.fail(res, 400, 'fixture: only logit_bias -100 (a ban) is supported');
      banned.push(Number(id));
    }
    const allowed = b.allowed_token_ids as number[] | undefined;
    if (allowed && maxTokens !== 1) return this.fail(res, 400, 'fixture: allowed_token_ids only on one-token requests');
    const topK = Number(b.top_k ?? -1);

    const scores = typeof b.prompt_logprobs === 'number' && !this.opts.noPromptLogprobs ? await engine.score(prompts.map((p) => ({ context: [p[0]], continuation: p.slice(1) }))) : null;
    // One request's sampler per prompt, seeded with the request's seed (vLLM: one generator per request).
    const seed = typeof b.seed === 'number' ? b.seed : 0;
    const generated = await engine.generate(prompts, {
      max_new_tokens: maxTokens,
      seed,
      rowSeeds: prompts.map(() => seed),
      temperature,
      top_k: topK > 0 ? topK : 0,
      top_p: Number(b.top_p ?? 1),
      repetition_penalty: Number(b.repetition_penalty ?? 1),
      banned_token_ids: banned,
      ...(allowed ? { firstTokenChoices: allowed } : {}),
    });
    const choices = prompts.map((p, i) => {
      const ids = generated[i];
      const choice: Record<string, unknown> = { index: i, text: tok.decode(ids), finish_reason: 'length' };
      if (b.return_token_ids && !this.opts.legacyTokenIds) choice.token_ids = ids;
      if (typeof b.logprobs === 'number') choice.logprobs = { tokens: ids.map((id) => (b.return_tokens_as_token_ids ? `token_id:${id}` : tok.decode([id]))) };
      if (scores) {
        const s = scores[i];
        choice.prompt_logprobs = [null, ...p.slice(1).map((id, j) => ({ [String(id)]: { logprob: Number.isFinite(s.logprobs[j]) ? s.logprobs[j] : -9999, rank: s.isArgmax[j] ? 1 : 2, decoded_token: tok.decode([id]) } }))];
      }
      return choice;
    });
    this.send(res, 200, { id: 'cmpl-fixture', object: 'text_completion', model: this.opts.model, choices, usage: { prompt_tokens: prompts.reduce((s, p) => s + p.length, 0), completion_tokens: maxTokens * prompts.length } });
  }
}
