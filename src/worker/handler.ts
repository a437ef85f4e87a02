/**
 * The worker's request handler, separate from the Worker global so it can be driven in a unit test
 * with a fake loader and asserted on the exact messages it posts.
 */
import { EngineError, toEngineError } from '../engine/errors.ts';
import type { LoadedModel } from '../engine/loadModel.ts';
import type { LoadProgress } from '../engine/modelSource.ts';
import { searchModelOf } from '../engine/searchModel.ts';
import { startSearch, type SearchRun } from '../iprompt/index.ts';
import type { LoadSpec, ModelSummary, Request, Responses, WorkerMessage } from './protocol.ts';

export type Loader = (spec: LoadSpec, control: { signal: AbortSignal; onProgress: (p: LoadProgress) => void }) => Promise<LoadedModel>;

export class WorkerHandler {
  private model: LoadedModel | null = null;
  private readonly inflight = new Map<string, AbortController>();
  private readonly searches = new Map<string, SearchRun>();

  constructor(
    private readonly post: (msg: WorkerMessage) => void,
    private readonly loader: Loader,
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

  private requireModel(): LoadedModel {
    if (!this.model) throw new EngineError('INTERNAL', 'No model is loaded; load one first.');
    return this.model;
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
      case 'load': {
        // A new load replaces the old model only once it succeeded: a failed load keeps what worked.
        const loaded = await this.loader(req.payload, { signal, onProgress: (p) => this.post({ type: 'progress', id: req.id, payload: p }) });
        const old = this.model;
        this.model = loaded;
        await old?.dispose();
        const summary: ModelSummary = loaded.info;
        return summary;
      }
      case 'unload': {
        const had = this.model !== null;
        await this.model?.dispose();
        this.model = null;
        return { unloaded: had };
      }
      case 'score':
        return this.requireModel().engine.score(req.payload.pairs, { signal, onTokens: this.tokenCounter(req.id) });
      case 'generate':
        return this.requireModel().engine.generate(req.payload.contexts, req.payload.options, { signal, onTokens: this.tokenCounter(req.id) });
      case 'complete': {
        const { engine, tokenizer } = this.requireModel();
        const { text, ...options } = req.payload;
        const ids = tokenizer.encode(text);
        if (ids.length === 0) throw new EngineError('INTERNAL', 'Type some text to continue.');
        const t0 = performance.now();
        const [out] = await engine.generate([ids], options, { signal, onTokens: this.tokenCounter(req.id) });
        const ms = performance.now() - t0;
        return { text: tokenizer.decode(out), ids: out, ms, tokensPerSecond: (out.length / ms) * 1000 };
      }
      case 'explain': {
        const { engine, tokenizer } = this.requireModel();
        const run = startSearch(searchModelOf(engine, tokenizer), req.payload.inputs, req.payload.outputs, req.payload.options, {
          signal,
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
