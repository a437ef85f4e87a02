/**
 * The typed protocol between the UI and the engine worker, imported by both sides. Payloads are
 * indexed by message kind so a `switch (msg.kind)` narrows without casts; every request carries an
 * id that its progress, result or error echo.
 */
import type { BackendRequest } from '../engine/backend.ts';
import type { EngineLimits, GenerateOptions, PrefixReuse, ScoredContinuation, ScorePair } from '../engine/engine.ts';
import type { SerializedEngineError } from '../engine/errors.ts';
import type { ModelInfo } from '../engine/loadModel.ts';
import type { Dtype, LoadProgress, ModelSource } from '../engine/modelSource.ts';
import type { SamplingOptions } from '../engine/sampling.ts';
import type { ServerModelInfo } from '../remote/remoteModel.ts';
import type { DescribeRun, ExplainResult, Explanation, IPromptOptionsInput, RunState, SearchCheckpoint, SearchEvent, TemplateOptions, WorkPlan } from '../iprompt/index.ts';

export interface LoadSpec {
  source: ModelSource;
  backend: BackendRequest;
  dtype?: Dtype | 'auto';
  /** Hub URL template with {id} and {file}; tests point it at a local server. */
  hubUrl?: string;
  threads?: number;
  /** Which onnxruntime-web build to run; 'auto' (default) takes JSPI where the browser has it. */
  runtime?: 'auto' | 'jspi' | 'asyncify';
  /** Batch and memory limits (tests force the chunked path with a small maxLogitsBytes). */
  limits?: Partial<EngineLimits>;
  /** false: leave a graph without num_logits_to_keep as exported (logits at every position; bench:engine compares). */
  restrictLogits?: boolean;
  /** How scoring reuses shared prefixes ('auto' by default; 'off' for comparisons). */
  prefixReuse?: PrefixReuse | 'auto';
  /** false: keep 4-bit weights as MatMulNBits on WASM (default: expanded to float32 at load; bench:engine compares). */
  expandWeights?: boolean;
}

/** A model on a vLLM server (src/remote): the search runs here, the server scores and samples. */
export interface ConnectSpec {
  url: string;
  /** The name the server serves the model under. */
  model: string;
  /** Kept in this browser only; sent to that server alone. */
  apiKey?: string;
  /** Where the served model's tokenizer comes from (a hub id through the download cache, or picked files). */
  tokenizer: ModelSource;
  hubUrl?: string;
}

/** What the UI learns about a loaded model or a connected server: plain data, so it crosses postMessage as is. */
export type ModelSummary = ModelInfo | ServerModelInfo;

/** Whether the summary is a server's (narrows for the model panel and the records). */
export const isServer = (m: ModelSummary): m is ServerModelInfo => 'kind' in m && m.kind === 'server';

export interface CompleteSpec extends SamplingOptions {
  text: string;
  max_new_tokens: number;
  seed: number;
  do_sample?: boolean;
}

/** "Try it": the model's greedy continuation of `input` under the search's scoring template. */
export interface TrySpec {
  /** The prompt's text; null for the empty prompt (the no-prompt baseline). */
  prompt: string | null;
  input: string;
  /** The run's prefix_before_input, preprefix and max_length. */
  template: TemplateOptions;
  max_new_tokens: number;
}

export interface Requests {
  load: LoadSpec;
  /** Connects to a vLLM server instead of loading a model here. */
  connect: ConnectSpec;
  score: { pairs: ScorePair[] };
  generate: { contexts: number[][]; options: GenerateOptions };
  /** Text in, text out: the first page's "generate a line". */
  complete: CompleteSpec;
  try: TrySpec;
  /** Scores a person's own descriptions on a finished run's evaluation examples. */
  describe: { texts: string[]; run: DescribeRun };
  tokenize: { texts: string[] };
  /** The work a run with these options would do on this data, and its time at the speed measured at load. */
  plan: { inputs: string[]; outputs: string[]; options: IPromptOptionsInput };
  decode: { ids: number[][] };
  /** Runs an iPrompt search on the loaded model; its events stream as 'search' messages. */
  explain: { inputs: string[]; outputs: string[]; options: IPromptOptionsInput; checkpoints?: boolean; resumeFrom?: SearchCheckpoint };
  /** Pauses, resumes or stops (with a ranking) the explain request with id `target`, between steps. */
  control: { target: string; action: 'pause' | 'resume' | 'stop' };
  /** Stops the request with id `target` at its next forward pass. */
  cancel: { target: string };
  unload: Record<string, never>;
}

export interface Responses {
  load: ModelInfo;
  connect: ServerModelInfo;
  score: ScoredContinuation[];
  generate: number[][];
  complete: { text: string; ids: number[]; ms: number; tokensPerSecond: number };
  /** The continuation, and the context the model read (decoded), for showing. */
  try: { text: string; context: string };
  describe: Explanation[];
  tokenize: number[][];
  /** seconds: null where the load measured no speed. */
  plan: { plan: WorkPlan; seconds: number | null };
  decode: string[];
  explain: ExplainResult;
  control: { state: RunState | 'unknown' };
  cancel: { cancelled: boolean };
  unload: { unloaded: boolean };
}

export type RequestKind = keyof Requests;

export type Request = { [K in RequestKind]: { kind: K; id: string; payload: Requests[K] } }[RequestKind];

export type ResultMessage = { [K in RequestKind]: { type: 'result'; kind: K; id: string; payload: Responses[K] } }[RequestKind];

export type WorkerMessage =
  | ResultMessage
  | { type: 'error'; id: string; error: SerializedEngineError }
  | { type: 'progress'; id: string; payload: LoadProgress }
  /** Throughput while a score or generate request runs. */
  | { type: 'tokens'; id: string; payload: { tokens: number; elapsedMs: number } }
  /** A search event of an explain request (every kind but 'done': the result message carries that). */
  | { type: 'search'; id: string; payload: Exclude<SearchEvent, { type: 'done' }> };
