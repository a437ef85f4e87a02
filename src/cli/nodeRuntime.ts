/**
 * Loading a model for the command line and the benchmarks: onnxruntime-node's native CPU
 * runtime where it is installed (4-5x faster than WASM here), onnxruntime-web's WASM otherwise.
 * Both run the same graphs and give the same prompts for a seed (checked in the tests).
 */
import type { Dtype, LoadProgress } from '../engine/modelSource.ts';
import { loadNodeModel } from '../engine/node/nodeModel.ts';
import type { LoadedModel } from '../engine/loadModel.ts';
import type { Ort } from '../engine/ortTypes.ts';

export type NodeRuntime = 'native' | 'wasm';

export interface CliModelOptions {
  runtime?: NodeRuntime | 'auto';
  dtype?: Dtype | 'auto';
  threads?: number;
  onProgress?: (p: LoadProgress) => void;
}

export async function loadCliModel(nameOrPath: string, opts: CliModelOptions = {}): Promise<{ model: LoadedModel; runtime: NodeRuntime }> {
  const threads = opts.threads ?? 2;
  let native: Ort | null = null;
  if (opts.runtime !== 'wasm') {
    try {
      native = (await import('onnxruntime-node')) as unknown as Ort;
    } catch (err) {
      if (opts.runtime === 'native') throw new Error(`--runtime native needs onnxruntime-node, which could not be loaded: ${(err as Error).message}`);
    }
  }
  const common = { dtype: opts.dtype ?? 'auto', threads, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
  if (native) return { model: await loadNodeModel(nameOrPath, { ...common, ort: native, provider: 'cpu' }), runtime: 'native' };
  return { model: await loadNodeModel(nameOrPath, common), runtime: 'wasm' };
}
