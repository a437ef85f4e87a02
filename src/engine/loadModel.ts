/**
 * Loading a model: fetch its files, pick weights for the backend, create the onnxruntime session,
 * read the graph's conventions, and run a warm-up pass before announcing it ready.
 */
import { type BackendChoice, dtypeCandidates } from './backend.ts';
import { chooseWeights } from './chooseWeights.ts';
import { Decoder, inspectGraph } from './decoder.ts';
import { LanguageModelEngine, reuseFor, type EngineLimits, type PrefixReuse } from './engine.ts';
import { EngineError, toEngineError } from './errors.ts';
import { expandMatMulNBits } from './expandNBits.ts';
import { addLogitsRows } from './logitsRows.ts';
import { measureThroughput, type Throughput } from './throughput.ts';
import type { FetchControl, FileStore } from './fileStore.ts';
import { parseDecoderShape, parseJsonFile, type DecoderShape } from './modelConfig.ts';
import { attentionStyle, summariseGraph, type AttentionStyle, type GraphSummary } from './onnxGraph.ts';
import { type Dtype, type FileProgress, type LoadProgress } from './modelSource.ts';
import type { Ort, SessionOptions } from './ortTypes.ts';
import { TextTokenizer } from './tokenizer.ts';

export interface LoadRequest {
  store: FileStore;
  /** A name for messages and the info panel. */
  name: string;
  backend: BackendChoice;
  dtype?: Dtype | 'auto';
  limits?: Partial<EngineLimits>;
  control?: FetchControl;
  /** Known download sizes per weight format (the catalogue's), to name one that fits when refusing. */
  knownSizes?: Partial<Record<Dtype, number>>;
  /** Overrides for the runtime session (the native benchmark runs onnxruntime-node's cpu provider). */
  sessionOptions?: Partial<SessionOptions>;
  /**
   * Give a graph without num_logits_to_keep an input naming the rows to project (logitsRows.ts), so
   * passes compute logits only where the engine reads them. Default true; false leaves the graph as
   * it is (comparisons).
   */
  restrictLogits?: boolean;
  /** How scoring reuses prefixes rows share (engine.ts PrefixReuse); 'auto' (default): engine.ts reuseFor, from the graph and the backend. */
  prefixReuse?: PrefixReuse | 'auto';
  /**
   * On WASM, turn 4-bit MatMulNBits weights into float32 at load (expandNBits.ts): WASM has no
   * 4-bit kernel and would dequantise them on every pass. Default true; false keeps them 4-bit.
   */
  expandWeights?: boolean;
  /** Measure scoring and generation speed after the warm-up (throughput.ts; default true), for the app's time estimate. */
  measureSpeed?: boolean;
}

export interface ModelInfo {
  name: string;
  modelType: string;
  dtype: Dtype;
  graphFile: string;
  backend: BackendChoice;
  shape: DecoderShape;
  /** The graph's optional inputs, as found. */
  graph: { positionIds: boolean; numLogitsToKeep: boolean; kvType: string; attention: AttentionStyle; useCacheBranch: boolean; kvLocation: 'cpu' | 'gpu-buffer' };
  /**
   * Where the logits are computed: 'export' (the graph has num_logits_to_keep), 'added' (the engine
   * added a rows input at load, before the named projection), or 'no' (every position) with the reason.
   */
  logits: { restricted: 'export' } | { restricted: 'added'; projection: string } | { restricted: 'no'; reason: string };
  /** How scoring reuses shared prefixes (engine.ts). */
  prefixReuse: PrefixReuse;
  /**
   * The graph's 4-bit (MatMulNBits) weights: expanded to float32 at load (WASM; how many nodes and
   * bytes, and how many were left 4-bit), or kept with the reason; null where the graph has none.
   */
  nbits: { expanded: true; nodes: number; floatBytes: number; kept: string[] } | { expanded: false; reason: string } | null;
  /** Speed measured at load (throughput.ts), for estimating a run's time before it starts; null when not measured. */
  throughput: Throughput | null;
  /** Token ids put before every context (the tokenizer's BOS, where its post-processor adds one). */
  contextPrefix: number[];
  /** Every file the model was built from. */
  files: string[];
  bytes: number;
  loadMs: number;
  warmupMs: number;
  /** The onnxruntime build, where the host chose one (the browser worker: jspi or asyncify). */
  runtime?: string;
}

export interface LoadedModel {
  engine: LanguageModelEngine;
  tokenizer: TextTokenizer;
  info: ModelInfo;
  dispose(): Promise<void>;
}

/** Combines the progress of several fetch calls into one stream for the caller. */
function progressMerger(onProgress?: (p: LoadProgress) => void) {
  const files = new Map<string, FileProgress>();
  return (p: LoadProgress) => {
    for (const f of p.files) files.set(f.file, f);
    const all = [...files.values()];
    const unknown = all.some((f) => f.total === null);
    onProgress?.({ loaded: all.reduce((s, f) => s + f.loaded, 0), total: unknown ? null : all.reduce((s, f) => s + (f.total ?? 0), 0), files: all });
  };
}

/** What the engine needs from the graph itself; bytes that are not a ModelProto are BAD_MODEL. */
function readGraphSummary(graph: Uint8Array, file: string): GraphSummary {
  try {
    return summariseGraph(graph);
  } catch (err) {
    throw new EngineError('BAD_MODEL', `${file} could not be read as an ONNX graph: ${(err as Error).message}`, { file, cause: err });
  }
}

/** tokenizer.json with its tokenizer_config.json (optional), as fetched from a model's files. */
function tokenizerOf(files: Map<string, Uint8Array>): TextTokenizer {
  const tokConfig = files.has('tokenizer_config.json') ? parseJsonFile(files.get('tokenizer_config.json')!, 'tokenizer_config.json') : {};
  return new TextTokenizer(parseJsonFile(files.get('tokenizer.json')!, 'tokenizer.json'), tokConfig);
}

/** A model's tokenizer alone (a server runs the model; the search still tokenizes here). */
export async function loadTokenizer(store: FileStore, control: FetchControl = {}): Promise<TextTokenizer> {
  return tokenizerOf(await store.fetch([{ file: 'tokenizer.json' }, { file: 'tokenizer_config.json', optional: true }], control));
}

export async function loadModel(ort: Ort, req: LoadRequest): Promise<LoadedModel> {
  const t0 = performance.now();
  const control: FetchControl = { signal: req.control?.signal, onProgress: progressMerger(req.control?.onProgress) };
  const meta = await req.store.fetch(
    [{ file: 'config.json' }, { file: 'tokenizer.json' }, { file: 'tokenizer_config.json', optional: true }, { file: 'generation_config.json', optional: true }],
    control,
  );
  const config = parseJsonFile(meta.get('config.json')!, 'config.json');
  const genConfig = meta.has('generation_config.json') ? parseJsonFile(meta.get('generation_config.json')!, 'generation_config.json') : null;
  const shape = parseDecoderShape(config, genConfig);
  const tokenizer = tokenizerOf(meta);

  // The first weight format the source has that fits the backend, in its order of preference.
  const requested = req.dtype ?? 'auto';
  const chosen = await chooseWeights({
    store: req.store,
    name: req.name,
    backend: req.backend,
    candidates: dtypeCandidates(req.backend, requested),
    explicit: requested !== 'auto',
    shape,
    knownSizes: req.knownSizes,
    control,
  });
  const { dtype, graphFile, graph, external: ext } = chosen;
  const extNames = [...ext.keys()];
  if (req.control?.signal?.aborted) throw new EngineError('ABORTED', 'Cancelled.');

  if (req.backend.backend === 'wasm') ort.env.wasm.numThreads = req.backend.threads;
  const summary = readGraphSummary(graph, graphFile);
  const attention = attentionStyle(summary);
  if (req.prefixReuse === 'batched' && attention === 'right-padded') {
    throw new EngineError('INTERNAL', `prefixReuse 'batched' needs attention that reads the mask; ${graphFile} uses GroupQueryAttention, which takes 'columns', 'off' or 'auto'.`, { file: graphFile });
  }
  // On WebGPU the key-value cache stays on the GPU: each pass's present.* is fed back as the next
  // past without a round trip through the CPU (the engine releases the buffers it replaces).
  const kvOnGpu = req.backend.backend === 'webgpu';
  const presentOutputs = summary.outputs.filter((n) => /^present/.test(n));
  const options: SessionOptions = {
    executionProviders: [req.backend.backend],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(kvOnGpu && presentOutputs.length ? { preferredOutputLocation: Object.fromEntries(presentOutputs.map((n) => [n, 'gpu-buffer' as const])) } : {}),
    ...(extNames.length ? { externalData: extNames.map((n) => ({ path: n, data: ext.get(n)! })) } : {}),
    ...req.sessionOptions,
  };
  const onWasmKernels = (options.executionProviders ?? []).every((p) => (typeof p === 'string' ? p : p.name) === 'wasm');

  // 4-bit weights on WASM become float32 once, at load, rather than on every pass (expandNBits.ts).
  const hasNBits = summary.opTypes.has('com.microsoft:MatMulNBits');
  let nbits: ModelInfo['nbits'] = hasNBits ? { expanded: false, reason: 'this backend has 4-bit kernels' } : null;
  const bases: { graph: Uint8Array; nbits: ModelInfo['nbits']; has4bit: boolean }[] = [];
  if (hasNBits && onWasmKernels) {
    const expansion = req.expandWeights === false ? { skipped: 'switched off' } : expandMatMulNBits(graph, ext);
    if ('model' in expansion) {
      const stillNBits = expansion.kept.length > 0;
      bases.push({ graph: expansion.model, nbits: { expanded: true, nodes: expansion.nodes, floatBytes: expansion.floatBytes, kept: expansion.kept }, has4bit: stillNBits });
    } else {
      nbits = { expanded: false, reason: expansion.skipped };
    }
  }
  // The graph as it is: the only one, or the fallback (its nbits then says why, below).
  bases.push({ graph, nbits, has4bit: hasNBits });

  const start = async (bytes: Uint8Array, prefixReuse: PrefixReuse) => {
    let session;
    try {
      session = await ort.InferenceSession.create(bytes, options);
    } catch (err) {
      const e = toEngineError(err, { file: graphFile });
      if (e.code === 'BAD_MODEL') throw new EngineError('BAD_MODEL', `${graphFile} could not be loaded by onnxruntime (${req.backend.backend}): ${(err as Error).message ?? err}`, { file: graphFile, cause: err });
      throw e;
    }
    const decoder = new Decoder(ort, session, shape, { ...inspectGraph(session, shape, graphFile, attention), kvOnGpu: kvOnGpu && presentOutputs.length > 0 });
    const engine = new LanguageModelEngine(decoder, req.limits, { contextPrefix: tokenizer.specialPrefix(), prefixReuse });
    // Warm-up: compiles kernels (and WebGPU shaders) before the first measured step.
    const tw = performance.now();
    try {
      await engine.score([{ context: [0, 0], continuation: [0, 0] }]);
    } catch (err) {
      await session.release().catch(() => undefined);
      throw toEngineError(err, { file: graphFile });
    }
    return { session, decoder, engine, warmupMs: performance.now() - tw };
  };

  /** A session on `base`, with the logits rows input added where that works (else the graph as it is). */
  const startOn = async (base: (typeof bases)[number]) => {
    // A fixed cost per pass: WASM's MatMulNBits (native CPU has 4-bit kernels). WebGPU's is not
    // measured here, so it counts as costly (see reuseFor).
    const costlyPasses = req.backend.backend === 'webgpu' || (onWasmKernels && base.has4bit);
    const prefixReuse = !req.prefixReuse || req.prefixReuse === 'auto' ? reuseFor(attention, { costlyPasses }) : req.prefixReuse;
    const edit = req.restrictLogits === false ? { skipped: 'switched off' } : addLogitsRows(base.graph);
    if ('model' in edit) {
      try {
        return { ...(await start(edit.model, prefixReuse)), logits: { restricted: 'added', projection: edit.projection } as ModelInfo['logits'] };
      } catch (err) {
        // The edited graph did not load or run: the export as it is still does, with logits everywhere.
        if ((err as EngineError).code === 'ABORTED' || (err as EngineError).code === 'OUT_OF_MEMORY') throw err;
        return { ...(await start(base.graph, prefixReuse)), logits: { restricted: 'no', reason: `adding the rows input failed (${(err as Error).message})` } as ModelInfo['logits'] };
      }
    }
    const logits: ModelInfo['logits'] = edit.skipped === 'has-keep-input' ? { restricted: 'export' } : { restricted: 'no', reason: edit.skipped };
    return { ...(await start(base.graph, prefixReuse)), logits };
  };

  let started: Awaited<ReturnType<typeof startOn>> | null = null;
  for (const [i, base] of bases.entries()) {
    try {
      started = await startOn(base);
      nbits = base.nbits;
      break;
    } catch (err) {
      // The expanded graph is larger: where it does not fit or load, the 4-bit graph may.
      if (i === bases.length - 1 || (err as EngineError).code === 'ABORTED') throw err;
      bases[i + 1].nbits = { expanded: false, reason: `the float32 graph failed to load (${(err as Error).message})` };
    }
  }
  const { session, decoder, engine, warmupMs, logits } = started!;
  let throughput: Throughput | null = null;
  if (req.measureSpeed !== false) {
    try {
      throughput = await measureThroughput(engine);
    } catch (err) {
      // A model that scores but cannot be timed still loads; the estimate then waits for a run.
      if ((err as EngineError).code === 'ABORTED') {
        await session.release().catch(() => undefined);
        throw err;
      }
    }
  }
  const bytes = [...meta.values(), graph, ...ext.values()].reduce((s, b) => s + b.byteLength, 0);
  return {
    engine,
    tokenizer,
    info: {
      name: req.name,
      modelType: shape.modelType,
      dtype,
      graphFile,
      backend: req.backend,
      shape,
      graph: {
        positionIds: decoder.io.hasPositionIds,
        numLogitsToKeep: decoder.io.keepInput !== null,
        kvType: decoder.io.kvType,
        attention: decoder.io.attention,
        useCacheBranch: decoder.io.useCacheBranch !== null,
        kvLocation: decoder.io.kvOnGpu ? 'gpu-buffer' : 'cpu',
      },
      logits,
      prefixReuse: engine.prefixReuse,
      nbits,
      throughput,
      contextPrefix: [...engine.contextPrefix],
      files: [...meta.keys(), graphFile, ...extNames.map((n) => `onnx/${n}`)],
      bytes,
      loadMs: performance.now() - t0,
      warmupMs,
    },
    dispose: () => session.release(),
  };
}
