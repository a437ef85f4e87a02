/**
 * The worker's request handler, separate from the Worker global so it can be driven in a unit test
 * with a fake loader and asserted on the exact messages it posts.
 */
import { EngineError, toEngineError } from '../engine/errors.ts';
import type { LoadedModel } from '../engine/loadModel.ts';
import type { LoadProgress } from '../engine/modelSource.ts';
import { searchModelOf } from '../bridge/searchModel.ts';
import type { SearchLanguageModel } from '../iprompt/languageModel.ts';
import type { TextTokenizer } from '../engine/tokenizer.ts';
import type { RemoteModel, ServerModelInfo } from '../remote/remoteModel.ts';
import { cutTokens, planSeconds, planWork, scoreDescriptions, scoringContext, startSearch, type CutSide, type SearchRun } from '../iprompt/index.ts';
import type { ConnectSpec, LoadSpec, Request, Responses, WorkerMessage } from './protocol.ts';

export type Loader = (spec: LoadSpec, control: { signal: AbortSignal; onProgress: (p: LoadProgress) => void }) => Promise<LoadedModel>;

/** A model on a server: the search's language model is remote, the tokenizer is here. */
export interface ServedModel {
  remote: RemoteModel;
  tokenizer: TextTokenizer;
  info: ServerModelInfo;
  dispose(): Promise<void>;
}

export type Connector = (spec: ConnectSpec, control: { signal: AbortSignal; onProgress: (p: LoadProgress) => void }) => Promise<ServedModel>;

/** What the worker holds: a model it runs, or a server it talks to. */
type Held = LoadedModel | ServedModel;

const isServed = (m: Held): m is ServedModel => 'remote' in m;

/** The search's language model over what is held. */
const lmOf = (m: Held): SearchLanguageModel => (isServed(m) ? m.remote : searchModelOf(m.engine, m.tokenizer));

/** The engine itself, for the requests that drive it directly (tests, the benchmark harness). */
function engineOf(m: Held): LoadedModel {
  if (isServed(m)) throw new EngineError('INTERNAL', `This request needs a model in this tab; ${m.info.name} runs on a server.`);
  return m;
}

const noServerNeeded = () => {
  throw new EngineError('INTERNAL', 'This worker cannot connect to a server.');
};

export class WorkerHandler {
  private model: Held | null = null;
  /** Requests running on each model; a model is disposed only once its count is back to zero. */
  private readonly users = new Map<Held, number>();
  /** Models replaced while still in use: disposed when their last request ends. */
  private readonly retired = new Set<Held>();
  private readonly inflight = new Map<string, AbortController>();
  private readonly searches = new Map<string, SearchRun>();

  constructor(
    private readonly post: (msg: WorkerMessage) => void,
    private readonly loader: Loader,
    private readonly connector: Connector = noServerNeeded,
  ) {}

  async handle(req: Request): Promise<void> {
    if (req.kind === 'cancel') {
      const ctl = this.inflight.get(req.payload.target);
      ctl?.abort();
      this.post({ type: 'result', kind: 'cancel', id: req.id, payload: { cancelled: ctl !== undefined } });
      return;
    }
    if (req.kind === 'control') {
      const run = this.searches.get(req.payload.target);
      if (run) {
        if (req.payload.action === 'pause') run.pause();
        else if (req.payload.action === 'resume') run.resume();
        else run.stop();
      }
      this.post({ type: 'result', kind: 'control', id: req.id, payload: { state: run?.state ?? 'unknown' } });
      return;
    }
    const ctl = new AbortController();
    this.inflight.set(req.id, ctl);
    try {
      const result = await this.run(req, ctl.signal);
      this.post({ type: 'result', kind: req.kind, id: req.id, payload: result } as WorkerMessage);
    } catch (err) {
      this.post({ type: 'error', id: req.id, error: toEngineError(err).toJSON() });
    } finally {
      this.inflight.delete(req.id);
    }
  }

  private requireModel(): Held {
    if (!this.model) throw new EngineError('INTERNAL', 'No model is loaded; load one first.');
    return this.model;
  }

  /** Runs `fn` on the current model, which stays alive (not disposed) until `fn` settles. */
  private async using<T>(fn: (m: Held) => Promise<T> | T): Promise<T> {
    const m = this.requireModel();
    this.users.set(m, (this.users.get(m) ?? 0) + 1);
    try {
      return await fn(m);
    } finally {
      const left = (this.users.get(m) ?? 1) - 1;
      if (left > 0) this.users.set(m, left);
      else {
        this.users.delete(m);
        if (this.retired.delete(m)) await m.dispose();
      }
    }
  }

  /** Disposes a model now, or once the requests still running on it end. */
  private async retire(m: Held | null): Promise<void> {
    if (!m) return;
    if (this.users.has(m)) this.retired.add(m);
    else await m.dispose();
  }

  /** Refuses to replace or drop the model while a request runs on it. */
  private refuseIfBusy(what: string): void {
    const busy = this.model ? (this.users.get(this.model) ?? 0) : 0;
    if (busy > 0) {
      const search = this.searches.size > 0 ? 'a search is running on it' : `${busy} request${busy > 1 ? 's are' : ' is'} running on it`;
      throw new EngineError('BUSY', `Cannot ${what} ${this.model!.info.name} while ${search}.`);
    }
  }

  /** A new load replaces the old model only once it succeeded: a failed load keeps what worked. */
  private async replaceWith<M extends Held>(id: string, signal: AbortSignal, what: string, open: (control: { signal: AbortSignal; onProgress: (p: LoadProgress) => void }) => Promise<M>): Promise<M> {
    this.refuseIfBusy(what);
    const loaded = await open({ signal, onProgress: (p) => this.post({ type: 'progress', id, payload: p }) });
    const old = this.model;
    this.model = loaded;
    // A request that started on the old model while this one downloaded keeps it until it ends.
    await this.retire(old);
    return loaded;
  }

  private tokenCounter(id: string) {
    const t0 = performance.now();
    let tokens = 0;
    let lastPost = 0;
    return (n: number) => {
      tokens += n;
      const now = performance.now();
      if (now - lastPost > 100) {
        lastPost = now;
        this.post({ type: 'tokens', id, payload: { tokens, elapsedMs: now - t0 } });
      }
    };
  }

  private async run(req: Exclude<Request, { kind: 'cancel' | 'control' }>, signal: AbortSignal): Promise<Responses[typeof req.kind]> {
    switch (req.kind) {
      case 'load':
        return (await this.replaceWith(req.id, signal, 'load another model over', (control) => this.loader(req.payload, control))).info;
      case 'connect':
        return (await this.replaceWith(req.id, signal, 'connect to a server instead of', (control) => this.connector(req.payload, control))).info;
      case 'unload': {
        this.refuseIfBusy('unload');
        const had = this.model !== null;
        await this.retire(this.model);
        this.model = null;
        return { unloaded: had };
      }
      case 'score':
        return this.using((m) => engineOf(m).engine.score(req.payload.pairs, { signal, onTokens: this.tokenCounter(req.id) }));
      case 'generate':
        return this.using((m) => engineOf(m).engine.generate(req.payload.contexts, req.payload.options, { signal, onTokens: this.tokenCounter(req.id) }));
      case 'complete':
        return this.using(async (m) => {
          const { tokenizer } = m;
          const { text, max_new_tokens, seed, do_sample, temperature = 1, top_k = 50, top_p = 1, repetition_penalty = 1, banned_token_ids = [] } = req.payload;
          const ids = tokenizer.encode(text);
          if (ids.length === 0) throw new EngineError('INTERNAL', 'Type some text to continue.');
          const t0 = performance.now();
          const sampling = { max_new_tokens, seed, temperature: do_sample === false ? 0 : temperature, top_k, top_p, repetition_penalty, banned_token_ids };
          const [out] = await lmOf(m).generate([ids], { ...sampling, signal, onTokens: this.tokenCounter(req.id) });
          const ms = performance.now() - t0;
          return { text: tokenizer.decode(out), ids: out, ms, tokensPerSecond: (out.length / ms) * 1000 };
        });
      case 'try':
        return this.using(async (m) => {
          const { tokenizer } = m;
          const { prompt, input, template, max_new_tokens } = req.payload;
          if (input.trim() === '') throw new EngineError('INTERNAL', 'Type an input to try.');
          const enc = (text: string, side: CutSide) => cutTokens(tokenizer.encode(text), template.max_length, side);
          const context = scoringContext(prompt === null ? [] : tokenizer.encode(prompt), input, template, enc);
          const greedy = { max_new_tokens, seed: 1, temperature: 0, top_k: 0, top_p: 1, repetition_penalty: 1, banned_token_ids: [] };
          const [out] = await lmOf(m).generate([context], { ...greedy, signal, onTokens: this.tokenCounter(req.id) });
          return { text: tokenizer.decode(out), context: tokenizer.decode(context) };
        });
      case 'describe':
        return this.using((m) => scoreDescriptions(lmOf(m), req.payload.run, req.payload.texts, { signal, onTokens: this.tokenCounter(req.id) }));
      case 'explain':
        return this.using(async (m) => {
          const run = startSearch(lmOf(m), req.payload.inputs, req.payload.outputs, req.payload.options, {
            signal,
            checkpoints: req.payload.checkpoints,
            resumeFrom: req.payload.resumeFrom,
            onEvent: (e) => {
              if (e.type !== 'done') this.post({ type: 'search', id: req.id, payload: e });
            },
          });
          this.searches.set(req.id, run);
          try {
            return await run.result;
          } finally {
            this.searches.delete(req.id);
          }
        });
      case 'plan': {
        // Tokenizer only: answered at once, even while a search holds the engine.
        const m = this.requireModel();
        const { info } = m;
        const { inputs, outputs, options } = req.payload;
        const plan = planWork(lmOf(m), inputs, outputs, options);
        return { plan, seconds: info.throughput ? planSeconds(plan, info.throughput) : null };
      }
      case 'tokenize': {
        const { tokenizer } = this.requireModel();
        return req.payload.texts.map((t) => tokenizer.encode(t));
      }
      case 'decode': {
        const { tokenizer } = this.requireModel();
        return req.payload.ids.map((ids) => tokenizer.decode(ids));
      }
    }
  }
}
