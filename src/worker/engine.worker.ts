/// <reference lib="webworker" />
/**
 * The module Web Worker that owns the model. The only place in the browser build that imports
 * onnxruntime-web (its JSEP build: WASM and WebGPU in one binary, so exactly one copy ships).
 */
import * as ort from 'onnxruntime-web';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { browserEnvironment, chooseBackend } from '../engine/backend.ts';
import { browserStore } from '../engine/fileStore.ts';
import { loadModel } from '../engine/loadModel.ts';
import { describeSource } from '../engine/modelSource.ts';
import type { Ort } from '../engine/ortTypes.ts';
import { WorkerHandler } from './handler.ts';
import type { Request, WorkerMessage } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

// Served from our own origin as build assets: never a CDN (there may be no network), and the
// glue must be a separate file so WASM threads can start from it.
ort.env.wasm.wasmPaths = { mjs: ortMjsUrl, wasm: ortWasmUrl };

const shippedBase = new URL(`${import.meta.env.BASE_URL}models/`, self.location.origin).href;

const handler = new WorkerHandler(
  (msg: WorkerMessage) => self.postMessage(msg),
  async (spec, control) => {
    const backend = await chooseBackend(spec.backend, browserEnvironment(), { threads: spec.threads, dtype: spec.dtype });
    const store = browserStore(spec.source, { hubUrl: spec.hubUrl, shippedBase });
    return loadModel(ort as unknown as Ort, { store, name: describeSource(spec.source), backend, dtype: spec.dtype, control });
  },
);

self.onmessage = (e: MessageEvent<Request>) => void handler.handle(e.data);
