/**
 * The one hook that talks to the engine: it owns the worker client and turns replies into store
 * updates. Components call the returned actions and read the store.
 *
 * Each load gets a fresh worker: onnxruntime-web initialises its backends once per worker, and a
 * WebGPU session created after a WASM one in the same worker fails in JSEP kernels. The old worker
 * (and its model) is kept until the new one is ready, so a failed or cancelled load loses nothing.
 */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { BackendRequest } from '../engine/backend.ts';
import { EngineError } from '../engine/errors.ts';
import type { Dtype, LoadProgress, ModelSource } from '../engine/modelSource.ts';
import type { ConnectSpec, ModelSummary } from '../worker/protocol.ts';
import type { DescribeRun, ExplainResult, IPromptOptionsInput, SearchCheckpoint, TemplateOptions } from '../iprompt/index.ts';
import { EngineClient } from '../worker/client.ts';
import type { SearchStreamEvent } from './state/runEvents.ts';

import { useEngineStore } from './engineStore.ts';

function serialise(err: unknown) {
  return err instanceof EngineError ? err.toJSON() : new EngineError('INTERNAL', String((err as Error)?.message ?? err)).toJSON();
}

/** The engine slice's actions (read when called, so a hook's callbacks never hold a stale store). */
const store = () => useEngineStore.getState();

export function useEngine() {
  const client = useRef<EngineClient | null>(null);
  const loadAbort = useRef<AbortController | null>(null);

  useEffect(() => () => client.current?.terminate(), []);

  /** A fresh worker takes over once `start` succeeds on it; a failure or a newer load leaves the old one. */
  const replaceWorker = useCallback(async (backend: BackendRequest, source: ModelSource, start: (candidate: EngineClient, control: { signal: AbortSignal; onProgress: (p: LoadProgress) => void }) => Promise<ModelSummary>) => {
    loadAbort.current?.abort();
    const ctl = new AbortController();
    loadAbort.current = ctl;
    const candidate = EngineClient.create();
    store().loadStarted(backend);
    try {
      const model = await start(candidate, { signal: ctl.signal, onProgress: (progress) => store().loadProgressed(progress) });
      client.current?.terminate();
      client.current = candidate;
      store().loaded(model, source);
    } catch (err) {
      candidate.terminate();
      // A newer load superseded this one: it owns the status now.
      if (loadAbort.current !== ctl) return;
      store().loadFailed(serialise(err));
    }
  }, []);

  const load = useCallback(
    (source: ModelSource, backend: BackendRequest, opts: { dtype?: Dtype | 'auto'; hubUrl?: string } = {}) =>
      replaceWorker(backend, source, (c, control) => c.call('load', { source, backend, ...(opts.dtype ? { dtype: opts.dtype } : {}), ...(opts.hubUrl ? { hubUrl: opts.hubUrl } : {}) }, control)),
    [replaceWorker],
  );

  /** A model on a vLLM server: its tokenizer is loaded here, the server is checked, then the search can run on it. */
  const connect = useCallback((spec: ConnectSpec) => replaceWorker('auto', spec.tokenizer, (c, control) => c.call('connect', spec, control)), [replaceWorker]);

  const cancelLoad = useCallback(() => loadAbort.current?.abort(), []);

  const explainId = useRef<string | null>(null);

  /** Runs a search in the worker; events arrive through onEvent (unbatched: the caller batches). */
  const explain = useCallback(
    (inputs: string[], outputs: string[], options: IPromptOptionsInput, onEvent: (e: SearchStreamEvent) => void, resumeFrom?: SearchCheckpoint): Promise<ExplainResult> => {
      if (!client.current) return Promise.reject(new EngineError('INTERNAL', 'No model is loaded; load one first.'));
      // Checkpoints after every step, so a reload or a crash loses at most one step.
      return client.current.call('explain', { inputs, outputs, options, checkpoints: true, ...(resumeFrom && { resumeFrom }) }, { onSearch: onEvent, onId: (id) => (explainId.current = id) });
    },
    [],
  );

  /** Pause, resume or stop the running search (between steps). */
  const control = useCallback(async (action: 'pause' | 'resume' | 'stop') => {
    if (client.current && explainId.current) await client.current.call('control', { target: explainId.current, action });
  }, []);

  const complete = useCallback(
    async (prompt: string, opts: { max_new_tokens: number; seed: number; temperature: number }) => {
      if (!client.current) return;
      store().completionStarted();
      try {
        const res = await client.current.call('complete', { text: prompt, top_k: 50, top_p: 0.95, repetition_penalty: 1.1, ...opts });
        store().completed({ prompt, text: res.text, ms: res.ms, tokensPerSecond: res.tokensPerSecond });
      } catch (err) {
        store().completionFailed(serialise(err));
      }
    },
    [],
  );

  /** The model's greedy output for one input under the search's scoring template, with a prompt or with none ("try it"). */
  const tryPrompt = useCallback(async (prompt: string | null, input: string, template: TemplateOptions, maxNewTokens: number) => {
    if (!client.current) throw new EngineError('INTERNAL', 'No model is loaded; load one first.');
    return client.current.call('try', { prompt, input, template, max_new_tokens: maxNewTokens });
  }, []);

  /** A person's own descriptions scored on a finished run's evaluation examples, with the run's figures. */
  const describe = useCallback(async (texts: string[], run: DescribeRun) => {
    if (!client.current) throw new EngineError('INTERNAL', 'No model is loaded; load the model the run used to score a description.');
    return client.current.call('describe', { texts, run });
  }, []);

  /** The work a run would do on this data with these options, and its time at the loaded model's measured speed; null without a model. */
  const plan = useCallback(async (inputs: string[], outputs: string[], options: IPromptOptionsInput) => {
    if (!client.current) return null;
    return client.current.call('plan', { inputs, outputs, options });
  }, []);

  return useMemo(() => ({ load, connect, cancelLoad, complete, explain, control, tryPrompt, describe, plan }), [load, connect, cancelLoad, complete, explain, control, tryPrompt, describe, plan]);
}
