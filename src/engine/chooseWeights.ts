/**
 * Picking the weight file to load: the first format in the backend's order of preference that the
 * source has and that fits the backend (memoryBudget.ts). Sizes are asked for before anything is
 * downloaded; a graph whose external data turns out too large is refused before that data is
 * fetched. Asking for a format that does not fit is refused with its size, the limit and a format
 * that does fit.
 */
import type { BackendChoice } from './backend.ts';
import { EngineError } from './errors.ts';
import type { FetchControl, FileStore } from './fileStore.ts';
import { misfit, tensorMisfit, variantFits, type SizedFile } from './memoryBudget.ts';
import type { DecoderShape } from './modelConfig.ts';
import { DTYPE_FILES, MERGED_DTYPE_FILES, type Dtype } from './modelSource.ts';
import { formatBytes } from '../util/format.ts';

export interface ChosenWeights {
  dtype: Dtype;
  graphFile: string;
  graph: Uint8Array;
  /** External data by file name (as the graph refers to it, without onnx/). */
  external: Map<string, Uint8Array>;
}

export interface WeightsRequest {
  store: FileStore;
  name: string;
  backend: BackendChoice;
  candidates: Dtype[];
  /** Whether the caller asked for one format (refuse it) or for the best that fits (skip it). */
  explicit: boolean;
  shape: DecoderShape;
  /** Known download sizes per format (the catalogue's), to name a format that fits. */
  knownSizes?: Partial<Record<Dtype, number>>;
  control: FetchControl;
}

/** Names of external-data files a graph refers to (their names are stored as strings in the proto). */
export function externalDataFiles(graphBytes: Uint8Array, graphFile: string): string[] {
  const base = graphFile.split('/').pop()!;
  const text = new TextDecoder('latin1').decode(graphBytes.length > 64 * 1024 * 1024 ? graphBytes.subarray(0, 64 * 1024 * 1024) : graphBytes);
  const found = new Set<string>();
  // transformers.js names them model.onnx_data, model.onnx_data_1, ...; onnxruntime-genai's model
  // builder writes model.onnx.data.
  const re = new RegExp(`${base.replace(/\./g, '\\.')}(?:_data(?:_\\d+)?|\\.data)`, 'g');
  for (const m of text.matchAll(re)) found.add(m[0]);
  return [...found].sort();
}

interface Refusal {
  dtype: Dtype;
  reason: string;
}

type SizeOf = (file: string) => Promise<number | 'absent' | null>;

/** The graph's external data files with their sizes (null where the store cannot say). */
async function externalSizes(graph: Uint8Array, graphFile: string, sizeOf: SizeOf): Promise<{ name: string; bytes: number | null }[]> {
  const out: { name: string; bytes: number | null }[] = [];
  for (const name of externalDataFiles(graph, graphFile)) {
    const s = await sizeOf(`onnx/${name}`);
    out.push({ name, bytes: typeof s === 'number' ? s : null });
  }
  return out;
}

export async function chooseWeights(req: WeightsRequest): Promise<ChosenWeights> {
  const { store, backend, control } = req;
  const refusals: Refusal[] = [];
  const sizeOf: SizeOf = async (file) => (store.sizeOf ? store.sizeOf(file, control) : null);
  for (const dtype of req.candidates) {
    const tooBig = tensorMisfit(req.shape, dtype, backend);
    if (tooBig) {
      refusals.push({ dtype, reason: tooBig.reason });
      continue;
    }
    for (const graphFile of [DTYPE_FILES[dtype], MERGED_DTYPE_FILES[dtype]]) {
      const size = await sizeOf(graphFile);
      if (size === 'absent') continue;
      if (typeof size === 'number') {
        const m = misfit([{ file: graphFile, bytes: size }], backend);
        if (m) {
          refusals.push({ dtype, reason: m.reason });
          break;
        }
      }
      const graph = (await store.fetch([{ file: graphFile, optional: true }], control)).get(graphFile);
      if (!graph) continue;
      const ext = await externalSizes(graph, graphFile, sizeOf);
      const sized: SizedFile[] = [{ file: graphFile, bytes: graph.byteLength }];
      // Files of unknown size are checked by nothing here; the download learns their size.
      for (const e of ext) if (e.bytes !== null) sized.push({ file: `onnx/${e.name}`, bytes: e.bytes });
      const m = misfit(sized, backend);
      if (m) {
        refusals.push({ dtype, reason: m.reason });
        break;
      }
      const names = ext.map((e) => e.name);
      const fetched = names.length ? await store.fetch(names.map((n) => ({ file: `onnx/${n}` })), control) : new Map<string, Uint8Array>();
      const external = new Map(names.map((n) => [n, fetched.get(`onnx/${n}`)!]));
      return { dtype, graphFile, graph, external };
    }
    if (req.explicit && refusals.length) break;
  }
  if (refusals.length) throw await tooLarge(req, refusals, sizeOf);
  throw new EngineError('BAD_MODEL', `${req.name} has none of ${req.candidates.map((d) => DTYPE_FILES[d]).join(', ')} (the weights the ${backend.backend} backend can run).`, {
    file: DTYPE_FILES[req.candidates[0]],
  });
}

/** A graph under this size is read to find its external data, whose sizes then count too. */
const SMALL_GRAPH_BYTES = 16 * 1024 * 1024;

/** The download size of a format (graph + external data), without downloading the weights; null if unknown. */
async function variantBytes(req: WeightsRequest, dtype: Dtype, sizeOf: SizeOf): Promise<number | null> {
  const known = req.knownSizes?.[dtype];
  if (known !== undefined) return known;
  for (const file of [DTYPE_FILES[dtype], MERGED_DTYPE_FILES[dtype]]) {
    const size = await sizeOf(file);
    if (size === 'absent') continue;
    if (size === null || size >= SMALL_GRAPH_BYTES) return size;
    // A small graph keeps its weights outside: read it (it is small) for their names.
    const graph = (await req.store.fetch([{ file, optional: true }], req.control)).get(file);
    if (!graph) return null;
    const ext = await externalSizes(graph, file, sizeOf);
    if (ext.some((e) => e.bytes === null)) return null;
    return ext.reduce((total, e) => total + e.bytes!, graph.byteLength);
  }
  return null;
}

/** OUT_OF_MEMORY naming what did not fit and, where one is known, a format that does. */
async function tooLarge(req: WeightsRequest, refusals: Refusal[], sizeOf: SizeOf): Promise<EngineError> {
  const where = req.backend.backend === 'wasm' ? 'WASM' : 'WebGPU';
  const what = refusals.map((r) => `${r.dtype}: ${r.reason}`).join('; ');
  const tried = new Set(refusals.map((r) => r.dtype));
  // Smallest downloads first, among the formats this backend runs.
  const order: Dtype[] = req.backend.backend === 'webgpu' ? (req.backend.shaderF16 ? ['q4f16', 'q4', 'fp16', 'fp32'] : ['q4', 'fp32']) : ['q4f16', 'q4', 'q8', 'fp32'];
  let fits: { dtype: Dtype; bytes: number } | null = null;
  for (const d of order) {
    if (tried.has(d)) continue;
    const bytes = await variantBytes(req, d, sizeOf);
    if (bytes === null) continue;
    if (variantFits(bytes, req.backend) && !tensorMisfit(req.shape, d, req.backend)) {
      fits = { dtype: d, bytes };
      break;
    }
  }
  const advice = fits ? `The ${fits.dtype} weights (${formatBytes(fits.bytes)}) fit: choose ${fits.dtype} under Weights.` : `No other format of this model is known to fit ${where}; pick a smaller model.`;
  return new EngineError('OUT_OF_MEMORY', `${req.name} does not fit ${where}, so its weights were not downloaded: ${what}.`, { remedy: advice });
}
