/**
 * Weights that cannot fit the backend are refused before their bytes are read, with a message
 * naming the size, the limit and a format that fits. The large files are real sparse files on
 * disk (their size is real, their bytes are never read), so the folder store's size check and
 * the loader run unchanged.
 */
import { cp, mkdtemp, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendChoice } from './backend.ts';
import { EngineError } from './errors.ts';
import type { FileStore } from './fileStore.ts';
import { loadModel } from './loadModel.ts';
import { estimateLargestTensor, GIB, misfit, tensorMisfit, variantFits, WEBGPU_DEFAULT_LIMITS } from './memoryBudget.ts';
import { parseDecoderShape } from './modelConfig.ts';
import { folderStore } from './node/nodeModel.ts';
import type { Ort } from './ortTypes.ts';
import { REPLICAS_DIR } from '../test/testModels.ts';

const wasm: BackendChoice = { backend: 'wasm', adapter: null, shaderF16: false, threads: 1, crossOriginIsolated: true, reason: null };
const gpu = (maxStorageBufferBindingSize: number): BackendChoice => ({
  ...wasm,
  backend: 'webgpu',
  adapter: { vendor: 'v', architecture: 'a', description: '', isFallbackAdapter: false, features: [], limits: { maxBufferSize: 4 * GIB, maxStorageBufferBindingSize } },
});

describe('the limits', () => {
  it('refuse a file over 2 GiB, WASM weights over 3.5 GiB, and a WebGPU tensor over the adapter buffer limit', () => {
    expect(misfit([{ file: 'a', bytes: 2 * GIB + 1 }], wasm)?.reason).toMatch(/a is 2\.0 GB, more than the 2\.0 GB/);
    expect(misfit([{ file: 'a', bytes: 2 * GIB }], wasm)).toBeNull();
    // Llama-3.2-1B's q4 (1.66 GB) fits WASM; its fp32 (4.94 GB over three 1.65 GB chunks) does not.
    expect(variantFits(1.66e9, wasm)).toBe(true);
    expect(misfit([1, 2, 3].map((i) => ({ file: `c${i}`, bytes: 1.65e9 })), wasm)?.reason).toMatch(/4\.6 GB; WASM holds at most 3\.5 GB/);
    expect(misfit([{ file: 'a', bytes: 3e9 }], gpu(GIB))?.reason).toMatch(/one buffer/);
    expect(misfit([], gpu(GIB), { largestTensorBytes: 1.05e9 })).toBeNull();
    expect(misfit([], gpu(GIB), { largestTensorBytes: 1.1e9 })?.reason).toMatch(/embedding table is about 1\.0 GB, more than the 1\.0 GB/);
  });
});

describe('the limits at their edges', () => {
  const MiB = 1024 ** 2;
  const budget = 4 * GIB - 512 * MiB;
  const noAdapter: BackendChoice = { ...wasm, backend: 'webgpu' };
  const adapter = (maxBufferSize: number, maxStorageBufferBindingSize: number): BackendChoice => ({
    ...wasm,
    backend: 'webgpu',
    adapter: { vendor: 'v', architecture: 'a', description: '', isFallbackAdapter: false, features: [], limits: { maxBufferSize, maxStorageBufferBindingSize } },
  });
  // SmolLM2-135M's config: a 49152 x 576 embedding table.
  const smol = parseDecoderShape({ model_type: 'llama', hidden_size: 576, num_attention_heads: 9, num_key_value_heads: 3, num_hidden_layers: 30, vocab_size: 49152 });

  it('WASM takes weights up to 3.5 GiB in total, in any number of files of at most 2 GiB', () => {
    expect(misfit([{ file: 'a', bytes: 2 * GIB }, { file: 'b', bytes: budget - 2 * GIB }], wasm)).toBeNull();
    expect(misfit([{ file: 'a', bytes: 2 * GIB }, { file: 'b', bytes: budget - 2 * GIB + 1 }], wasm)?.reason).toMatch(/^the weights are .*; WASM holds at most 3\.5 GB of weights \(a 4\.0 GB heap, 512 MB kept/);
  });

  it('WebGPU has no total limit (the page cannot see GPU memory), still the 2 GiB per file', () => {
    const files = Array.from({ length: 8 }, (_, i) => ({ file: `chunk${i}`, bytes: 1.5 * GIB }));
    expect(misfit(files, adapter(4 * GIB, 4 * GIB))).toBeNull();
    expect(misfit([{ file: 'one', bytes: 2 * GIB + 1 }], adapter(4 * GIB, 4 * GIB))?.reason).toMatch(/^one is /);
  });

  it("a catalogue variant is judged as one file (the catalogue's exports keep each format's weights in one file)", () => {
    // Llama 3.2 1B's fp16: one 2.47 GB data file, too large for a browser buffer on either backend.
    expect(variantFits(2.47e9, adapter(4 * GIB, 4 * GIB))).toBe(false);
    expect(variantFits(2.47e9, wasm)).toBe(false);
    expect(variantFits(2 * GIB, adapter(4 * GIB, 4 * GIB))).toBe(true);
  });

  it("the largest tensor must fit the smaller of the adapter's two buffer limits, or the spec's defaults without an adapter", () => {
    expect(misfit([], adapter(100 * MiB, GIB), { largestTensorBytes: 100 * MiB })).toBeNull();
    expect(misfit([], adapter(100 * MiB, GIB), { largestTensorBytes: 100 * MiB + 1 })?.reason).toMatch(/more than the 100 MB this GPU allows in one buffer/);
    expect(misfit([], adapter(GIB, 100 * MiB), { largestTensorBytes: 100 * MiB + 1 })?.reason).toMatch(/100 MB/);
    expect(WEBGPU_DEFAULT_LIMITS).toEqual({ maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB });
    expect(misfit([], noAdapter, { largestTensorBytes: 128 * MiB })).toBeNull();
    expect(misfit([], noAdapter, { largestTensorBytes: 128 * MiB + 1 })?.reason).toMatch(/128 MB this GPU allows/);
    // Without an estimate there is nothing to check.
    expect(misfit([], noAdapter, { largestTensorBytes: null })).toBeNull();
  });

  it('estimates the embedding table as vocab x hidden x 4 bytes, 2 in float16 exports; unknown without hidden_size', () => {
    expect(estimateLargestTensor(smol, 'q4')).toBe(49152 * 576 * 4);
    expect(estimateLargestTensor(smol, 'fp32')).toBe(49152 * 576 * 4);
    expect(estimateLargestTensor(smol, 'q8')).toBe(49152 * 576 * 4);
    expect(estimateLargestTensor(smol, 'fp16')).toBe(49152 * 576 * 2);
    expect(estimateLargestTensor(smol, 'q4f16')).toBe(49152 * 576 * 2);
    expect(estimateLargestTensor({ ...smol, hiddenSize: null }, 'q4')).toBeNull();
  });

  it('tensorMisfit checks WebGPU only: a 113 MB table fits the default 128 MiB, a 2x larger vocabulary does not', () => {
    expect(tensorMisfit(smol, 'q4', noAdapter)).toBeNull();
    const big = { ...smol, vocabSize: 2 * 49152 };
    expect(tensorMisfit(big, 'q4', noAdapter)?.reason).toMatch(/embedding table is about 216 MB/);
    expect(tensorMisfit(big, 'q4f16', noAdapter)).toBeNull();
    expect(tensorMisfit(big, 'q4', wasm)).toBeNull();
  });
});

describe('refusing before the download', () => {
  let dir: string;
  const fetched: string[] = [];
  const store = (): FileStore => {
    const inner = folderStore(dir);
    return {
      sizeOf: inner.sizeOf,
      fetch: (requests, control) => {
        fetched.push(...requests.map((r) => r.file));
        return inner.fetch(requests, control);
      },
    };
  };
  const load = (dtype: 'fp32' | 'q4' | 'auto') => loadModel(ort as unknown as Ort, { store: store(), name: 'big-llama', backend: wasm, dtype });
  const failure = async (dtype: 'fp32' | 'q4' | 'auto') => {
    try {
      await load(dtype);
    } catch (err) {
      return err as EngineError;
    }
    throw new Error('expected the load to be refused');
  };

  beforeAll(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'iprompt-big-')), 'llama');
    await cp(path.join(REPLICAS_DIR, 'llama32-gqa'), dir, { recursive: true });
    // Sparse files: 5 GB of q4 graph, and 1.9 GB in each fp32 external data chunk (3.8 GB in all).
    await truncate(path.join(dir, 'onnx', 'model_q4.onnx'), 5e9);
    await truncate(path.join(dir, 'onnx', 'model.onnx_data'), 1.9e9);
    await truncate(path.join(dir, 'onnx', 'model.onnx_data_1'), 1.9e9);
  });
  afterAll(() => rm(path.dirname(dir), { recursive: true, force: true }));

  it('a graph file too large for the backend is OUT_OF_MEMORY naming its size, the limit and a format that fits, and is never read', async () => {
    fetched.length = 0;
    const err = await failure('q4');
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('OUT_OF_MEMORY');
    expect(err.message).toContain('big-llama does not fit WASM');
    expect(err.message).toContain('onnx/model_q4.onnx is 4.7 GB, more than the 2.0 GB');
    // q4f16 (a 133 KB file here) fits and is named; fp32 is 3.8 GB with its data, so it is not.
    expect(err.remedy).toMatch(/The q4f16 weights \(\d+(\.\d)? KB\) fit: choose q4f16/);
    expect(fetched).not.toContain('onnx/model_q4.onnx');
  });

  it('external data too large for WASM is refused after the small graph, before the data is read', async () => {
    fetched.length = 0;
    const err = await failure('fp32');
    expect(err.code).toBe('OUT_OF_MEMORY');
    expect(err.message).toMatch(/the weights are 3\.5 GB; WASM holds at most 3\.5 GB/);
    expect(fetched).toContain('onnx/model.onnx');
    expect(fetched.filter((f) => f.includes('onnx_data'))).toEqual([]);
  });

  it('auto skips the formats that do not fit and loads one that does', async () => {
    fetched.length = 0;
    const m = await load('auto');
    // q4 (preferred on WASM) does not fit, q8 is absent, fp32 does not fit: q4f16, last on WASM, does.
    expect(m.info.dtype).toBe('q4f16');
    expect(fetched).not.toContain('onnx/model_q4.onnx');
    await m.dispose();
  });
});
