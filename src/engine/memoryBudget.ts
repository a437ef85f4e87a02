/**
 * Whether a model's weights can fit the chosen backend, decided from sizes alone so that a variant
 * that cannot fit is refused before any of its bytes are downloaded.
 *
 * The limits, and where they come from:
 * - Every file is held in one ArrayBuffer while onnxruntime reads it: Chromium's ArrayBuffer limit
 *   is about 2 GiB (platform notes), so no single file may be larger.
 * - WASM: onnxruntime-web's heap is a 32-bit WebAssembly memory, at most 4 GiB, which must hold the
 *   weights and the activations and cache; 512 MiB of it is kept for those.
 * - WebGPU: each weight tensor lives in one GPU buffer, so the largest one (the embedding table,
 *   vocab x hidden, estimated from config.json) must fit the adapter's maxStorageBufferBindingSize
 *   and maxBufferSize. The GPU's total memory is not exposed to the page, so the total is not checked.
 */
import type { BackendChoice } from './backend.ts';
import { formatBytes } from '../util/format.ts';
import type { DecoderShape } from './modelConfig.ts';
import type { Dtype } from './modelSource.ts';

export const GIB = 1024 ** 3;
export const MAX_FILE_BYTES = 2 * GIB;
export const WASM_HEAP_BYTES = 4 * GIB;
export const WASM_RESERVED_BYTES = 512 * 1024 ** 2;
const WASM_WEIGHT_BUDGET = WASM_HEAP_BYTES - WASM_RESERVED_BYTES;
/** Adapter limits WebGPU guarantees when an adapter reports none (the spec's defaults). */
export const WEBGPU_DEFAULT_LIMITS = { maxBufferSize: 256 * 1024 ** 2, maxStorageBufferBindingSize: 128 * 1024 ** 2 };

export interface SizedFile {
  file: string;
  bytes: number;
}

export interface Misfit {
  /** What does not fit, with the numbers. */
  reason: string;
}

/** Bytes per embedding weight: embeddings stay unquantised in q4 exports (float32, float16 in f16 ones). */
function embeddingBytesPerWeight(dtype: Dtype): number {
  return dtype === 'fp16' || dtype === 'q4f16' ? 2 : 4;
}

export function estimateLargestTensor(shape: DecoderShape, dtype: Dtype): number | null {
  if (!shape.hiddenSize) return null;
  return shape.vocabSize * shape.hiddenSize * embeddingBytesPerWeight(dtype);
}

/** On WebGPU, why a format's largest tensor cannot fit the adapter's buffers; null when it can (or on WASM). */
export function tensorMisfit(shape: DecoderShape, dtype: Dtype, backend: BackendChoice): Misfit | null {
  if (backend.backend !== 'webgpu') return null;
  return misfit([], backend, { largestTensorBytes: estimateLargestTensor(shape, dtype) });
}

/** null when the files fit the backend; otherwise why not. `files` may be a partial list (what is known so far). */
export function misfit(files: readonly SizedFile[], backend: BackendChoice, opts: { largestTensorBytes?: number | null } = {}): Misfit | null {
  const tooBig = files.find((f) => f.bytes > MAX_FILE_BYTES);
  if (tooBig) {
    return { reason: `${tooBig.file} is ${formatBytes(tooBig.bytes)}, more than the ${formatBytes(MAX_FILE_BYTES)} a browser can hold in one buffer` };
  }
  const total = files.reduce((s, f) => s + f.bytes, 0);
  if (backend.backend === 'wasm') {
    if (total > WASM_WEIGHT_BUDGET) {
      return { reason: `the weights are ${formatBytes(total)}; WASM holds at most ${formatBytes(WASM_WEIGHT_BUDGET)} of weights (a ${formatBytes(WASM_HEAP_BYTES)} heap, ${formatBytes(WASM_RESERVED_BYTES)} kept for activations and the cache)` };
    }
  } else if (opts.largestTensorBytes) {
    const limits = backend.adapter?.limits ?? WEBGPU_DEFAULT_LIMITS;
    const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    if (opts.largestTensorBytes > cap) {
      return { reason: `its embedding table is about ${formatBytes(opts.largestTensorBytes)}, more than the ${formatBytes(cap)} this GPU allows in one buffer` };
    }
  }
  return null;
}

/**
 * Whether a variant of `totalBytes` fits, counted as one file: the catalogue knows totals only,
 * and the exports it lists keep each format's weights in one data file (docs/models.md). A model
 * loaded from elsewhere is judged by its real file sizes, still before any download.
 */
export function variantFits(totalBytes: number, backend: BackendChoice): boolean {
  return misfit([{ file: 'weights', bytes: totalBytes }], backend) === null;
}
