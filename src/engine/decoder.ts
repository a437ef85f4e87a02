/**
 * One forward pass of a decoder-only ONNX graph, whatever its export convention: input and cache
 * names are read from the graph, shapes from config.json. Optional inputs (position_ids,
 * num_logits_to_keep) are fed only where the graph declares them.
 */
import { EngineError } from './errors.ts';
import type { DecoderShape } from './modelConfig.ts';
import type { AttentionStyle } from './onnxGraph.ts';
import { KEEP_INPUT_NAMES, LOGITS_ROWS_INPUT } from './logitsRows.ts';
import type { Ort, OrtSession, OrtTensor } from './ortTypes.ts';
import type { KvArray } from './prefixCache.ts';

export interface GraphIO {
  pastKeys: string[];
  pastValues: string[];
  presentKeys: string[];
  presentValues: string[];
  hasPositionIds: boolean;
  /** The name of the scalar "keep the last n logits" input, where the export has one. */
  keepInput: string | null;
  /** The rows-to-project input the engine adds to exports without a keep input (logitsRows.ts). */
  rowsInput: string | null;
  kvType: 'float32' | 'float16';
  /** How attention treats padding, from the graph's operators (onnxGraph.ts). */
  attention: AttentionStyle;
  /** Merged decoders (optimum's decoder_model_merged) switch branches on this boolean input. */
  useCacheBranch: string | null;
  /** present.* come back as GPU buffers (WebGPU); they must be released when replaced. */
  kvOnGpu: boolean;
}

/** Reads the graph's input and output names; a graph that cannot be driven is BAD_MODEL. */
export function inspectGraph(session: OrtSession, shape: DecoderShape, file: string, attention: AttentionStyle = 'masked'): GraphIO {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const missing = ['input_ids', 'attention_mask'].filter((n) => !inputs.has(n));
  if (!outputs.has('logits')) missing.push('logits (output)');
  const io: GraphIO = { pastKeys: [], pastValues: [], presentKeys: [], presentValues: [], hasPositionIds: inputs.has('position_ids'), keepInput: null, rowsInput: inputs.has(LOGITS_ROWS_INPUT) ? LOGITS_ROWS_INPUT : null, kvType: 'float32', attention, useCacheBranch: inputs.has('use_cache_branch') ? 'use_cache_branch' : null, kvOnGpu: false };
  for (let i = 0; i < shape.numLayers; i++) {
    const names = {
      pk: `past_key_values.${i}.key`,
      pv: `past_key_values.${i}.value`,
      ok: [`present.${i}.key`, `present_key_values.${i}.key`].find((n) => outputs.has(n)),
      ov: [`present.${i}.value`, `present_key_values.${i}.value`].find((n) => outputs.has(n)),
    };
    if (!inputs.has(names.pk) || !inputs.has(names.pv) || !names.ok || !names.ov) {
      missing.push(`past_key_values.${i}.key|value / present.${i}.key|value`);
      break;
    }
    io.pastKeys.push(names.pk);
    io.pastValues.push(names.pv);
    io.presentKeys.push(names.ok);
    io.presentValues.push(names.ov);
  }
  if (missing.length) {
    throw new EngineError('BAD_MODEL', `${file} is not a decoder with a key-value cache for ${shape.numLayers} layers: missing ${missing.join(', ')}. Export it with past key values (use_cache).`, { file });
  }
  io.keepInput = KEEP_INPUT_NAMES.find((n) => inputs.has(n)) ?? null;
  // inputMetadata arrived in onnxruntime 1.21; older builds fall back to float32 caches.
  const meta = (session as unknown as { inputMetadata?: readonly { name: string; type?: string }[] }).inputMetadata;
  const kvMeta = meta?.find((m) => m.name === io.pastKeys[0]);
  if (kvMeta?.type === 'float16') io.kvType = 'float16';
  return io;
}

/** A key-value cache: one key and one value tensor per layer, all [batch, kvHeads, length, headDim]. */
export interface KvCache {
  keys: OrtTensor[];
  values: OrtTensor[];
  length: number;
}

export interface ForwardInput {
  batch: number;
  /** Token ids [batch, seq], already left-padded. */
  ids: BigInt64Array;
  seq: number;
  /** Attention mask [batch, past + seq]. */
  mask: BigInt64Array;
  /** Position ids [batch, seq]. */
  positions: BigInt64Array;
  past: KvCache | null;
  /** How many final positions need logits; only honoured by graphs with a keep input. */
  keep: number;
  /**
   * Graphs with a rows input: the rows (b x seq + s) to return logits for, in this order; the
   * output is then [rows.length, vocab]. Without it every row is returned, as [batch, seq, vocab].
   */
  rows?: BigInt64Array;
}

export interface ForwardOutput {
  /** Logits [batch, n, vocab] for the last n positions of the input; with `rows`, [n = rows.length, vocab]. */
  logits: Float32Array;
  n: number;
  present: KvCache;
}

export class Decoder {
  constructor(
    private readonly ort: Ort,
    readonly session: OrtSession,
    readonly shape: DecoderShape,
    readonly io: GraphIO,
  ) {}

  emptyCache(batch: number): KvCache {
    const empty = this.io.kvType === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    return this.cacheOf(batch, 0, this.io.pastKeys.map(() => empty), this.io.pastValues.map(() => empty));
  }

  /** The cache's data on the CPU, per layer (GPU buffers are read back, and stay valid). */
  async readCache(cache: KvCache): Promise<{ keys: KvArray[]; values: KvArray[] }> {
    const read = async (t: OrtTensor) => (t.location === 'cpu' ? t.data : await t.getData()) as KvArray;
    return { keys: await Promise.all(cache.keys.map(read)), values: await Promise.all(cache.values.map(read)) };
  }

  /** A cache of `batch` rows x `length` positions from per-layer [batch, kvHeads, length, headDim] data. */
  cacheOf(batch: number, length: number, keys: readonly KvArray[], values: readonly KvArray[]): KvCache {
    const dims = [batch, this.shape.numKvHeads, length, this.shape.headDim];
    const make = (d: KvArray) => (this.io.kvType === 'float16' ? new this.ort.Tensor('float16', d as Uint16Array, dims) : new this.ort.Tensor('float32', d as Float32Array, dims));
    return { keys: keys.map(make), values: values.map(make), length };
  }

  /** Frees a cache that no later pass reads (GPU buffers; CPU tensors are left to the GC). */
  release(cache: KvCache | null | undefined): void {
    if (!cache || !this.io.kvOnGpu) return;
    for (const t of [...cache.keys, ...cache.values]) if (t.location === 'gpu-buffer') t.dispose();
  }

  async forward(input: ForwardInput): Promise<ForwardOutput> {
    const { ort, io } = this;
    const past = input.past ?? this.emptyCache(input.batch);
    const total = past.length + input.seq;
    if (input.mask.length !== input.batch * total) throw new Error(`attention mask has ${input.mask.length} entries, expected ${input.batch * total}`);
    const feeds: Record<string, OrtTensor> = {
      input_ids: new ort.Tensor('int64', input.ids, [input.batch, input.seq]),
      attention_mask: new ort.Tensor('int64', input.mask, [input.batch, total]),
    };
    if (io.hasPositionIds) feeds.position_ids = new ort.Tensor('int64', input.positions, [input.batch, input.seq]);
    if (io.keepInput) feeds[io.keepInput] = new ort.Tensor('int64', BigInt64Array.of(BigInt(input.keep)), []);
    const rows = io.rowsInput ? (input.rows ?? BigInt64Array.from({ length: input.batch * input.seq }, (_, i) => BigInt(i))) : null;
    if (io.rowsInput) feeds[io.rowsInput] = new ort.Tensor('int64', rows!, [rows!.length]);
    // The cache branch reads the past; the other branch ignores it (and is the one for a first pass).
    if (io.useCacheBranch) feeds[io.useCacheBranch] = new ort.Tensor('bool', Uint8Array.of(past.length > 0 ? 1 : 0), [1]);
    io.pastKeys.forEach((name, i) => (feeds[name] = past.keys[i]));
    io.pastValues.forEach((name, i) => (feeds[name] = past.values[i]));
    const out = await this.session.run(feeds);
    const logitsT = out.logits;
    // The row width comes from the logits themselves (some exports pad the vocabulary). Every row
    // gathered in order is the [batch, seq, vocab] layout an unedited graph returns.
    const n = io.rowsInput && !input.rows ? input.seq : logitsT.dims[1];
    return {
      logits: toFloat32(logitsT),
      n,
      present: {
        keys: io.presentKeys.map((name) => out[name]),
        values: io.presentValues.map((name) => out[name]),
        length: total,
      },
    };
  }
}

function toFloat32(t: OrtTensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') {
    const src = t.data as unknown;
    if (src instanceof Uint16Array) return halfToFloat(src);
    return Float32Array.from(src as ArrayLike<number>);
  }
  throw new EngineError('BAD_MODEL', `logits have type ${t.type}; expected float32 or float16`);
}

export function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i];
    const sign = x & 0x8000 ? -1 : 1;
    const exp = (x >> 10) & 0x1f;
    const frac = x & 0x3ff;
    out[i] = exp === 0 ? sign * 2 ** -14 * (frac / 1024) : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}
