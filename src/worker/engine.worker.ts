/// <reference lib="webworker" />
/**
 * The module Web Worker that owns the model: the only place in the browser build that loads
 * onnxruntime-web (see runtime.ts for which build).
 */
import { browserEnvironment, chooseBackend } from '../engine/backend.ts';
import { catalogueEntry } from '../engine/catalogue.ts';
import { browserStore } from '../engine/fileStore.ts';
import { loadModel, loadTokenizer } from '../engine/loadModel.ts';
import { checkServer, connectRemoteModel } from '../remote/remoteModel.ts';
import { EngineError, toEngineError } from '../engine/errors.ts';
import { describeSource } from '../engine/modelSource.ts';
import { WorkerHandler } from './handler.ts';
import type { Request, WorkerMessage } from './protocol.ts';
import { loadRuntime } from './runtime.ts';

declare const self: DedicatedWorkerGlobalScope;

const shippedBase = new URL(`${import.meta.env.BASE_URL}models/`, self.location.origin).href;

const handler = new WorkerHandler(
  (msg: WorkerMessage) => self.postMessage(msg),
  async (spec, control) => {
    const { ort, build } = await loadRuntime(spec.runtime);
    const backend = await chooseBackend(spec.backend, browserEnvironment(), { threads: spec.threads, dtype: spec.dtype });
    const store = browserStore(spec.source, { hubUrl: spec.hubUrl, shippedBase });
    // The catalogue's sizes let a refusal name a format that fits.
    const knownSizes = spec.source.kind === 'hub' ? catalogueEntry(spec.source.id)?.sizes : undefined;
    const model = await loadModel(ort, { store, name: describeSource(spec.source), backend, dtype: spec.dtype, limits: spec.limits, control, knownSizes, restrictLogits: spec.restrictLogits, prefixReuse: spec.prefixReuse, expandWeights: spec.expandWeights });
    model.info.runtime = build;
    return model;
  },
  async (spec, control) => {
    const t0 = performance.now();
    const tokenizerSource = describeSource(spec.tokenizer);
    await checkServer({ url: spec.url, model: spec.model, apiKey: spec.apiKey }, control.signal);
    let tokenizer;
    try {
      tokenizer = await loadTokenizer(browserStore(spec.tokenizer, { hubUrl: spec.hubUrl, shippedBase }), control);
    } catch (err) {
      const e = toEngineError(err);
      throw new EngineError(e.code, `The server serves ${spec.model}, but its tokenizer (${tokenizerSource}) could not be loaded here: ${e.message}`, { remedy: 'The search tokenizes in this tab with the served model\'s tokenizer: give its hub id under Tokenizer, or set the hub address to a mirror this page can reach.', cause: err });
    }
    const remote = await connectRemoteModel({ url: spec.url, model: spec.model, apiKey: spec.apiKey, tokenizer, tokenizerSource: `the tokenizer of ${tokenizerSource}` }, control.signal);
    return { remote, tokenizer, info: { kind: 'server', name: spec.model, server: { ...remote.info, tokenizerSource }, throughput: null, loadMs: performance.now() - t0 }, dispose: async () => undefined };
  },
);

self.onmessage = (e: MessageEvent<Request>) => void handler.handle(e.data);
