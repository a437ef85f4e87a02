/**
 * Choosing where the model runs. WebGPU when an adapter exists and the weights can run on it;
 * otherwise WASM, multi-threaded when the page is cross-origin isolated. Every fallback says why.
 */
import { EngineError } from './errors.ts';
import { DTYPE_FILES, F16_DTYPES, type Dtype } from './modelSource.ts';

export type BackendName = 'webgpu' | 'wasm';
export type BackendRequest = 'auto' | BackendName;

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  /** The buffer limits a device from this adapter can get (they bound the largest weight tensor). */
  limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

export interface BackendChoice {
  backend: BackendName;
  adapter: AdapterInfo | null;
  shaderF16: boolean;
  threads: number;
  crossOriginIsolated: boolean;
  /** Why WASM was chosen (or why it has one thread); null when nothing was given up. */
  reason: string | null;
}

export interface BackendEnvironment {
  gpu: GPU | null;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

export function browserEnvironment(): BackendEnvironment {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  return {
    gpu: nav && 'gpu' in nav ? (nav.gpu ?? null) : null,
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
  };
}

async function probeAdapter(gpu: GPU): Promise<AdapterInfo | null> {
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  // `info` is the current API; requestAdapterInfo() was removed from Chromium.
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? legacy ?? false,
    features: [...adapter.features].map(String).sort(),
    ...(adapter.limits ? { limits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize } } : {}),
  };
}

export async function chooseBackend(request: BackendRequest, env: BackendEnvironment, opts: { threads?: number; dtype?: Dtype | 'auto' } = {}): Promise<BackendChoice> {
  const maxThreads = Math.max(1, Math.min(4, env.hardwareConcurrency));
  const threads = env.crossOriginIsolated ? (opts.threads ?? maxThreads) : 1;
  const threadNote = env.crossOriginIsolated ? null : 'the page is not cross-origin isolated (COOP/COEP headers), so WASM runs on one thread';
  const wasm = (reason: string | null, adapter: AdapterInfo | null = null): BackendChoice => ({
    backend: 'wasm',
    adapter,
    shaderF16: false,
    threads,
    crossOriginIsolated: env.crossOriginIsolated,
    reason: [reason, threadNote].filter(Boolean).join('; ') || null,
  });
  if (request === 'wasm') return wasm(null);

  let adapter: AdapterInfo | null = null;
  let why: string;
  if (!env.gpu) why = 'this browser has no WebGPU (navigator.gpu is missing)';
  else {
    try {
      adapter = await probeAdapter(env.gpu);
      why = adapter ? '' : 'navigator.gpu.requestAdapter() returned no adapter (WebGPU disabled or no supported GPU)';
    } catch (err) {
      why = `requesting a WebGPU adapter failed: ${(err as Error).message}`;
    }
  }
  if (!adapter) {
    if (request === 'webgpu') throw new EngineError('NO_WEBGPU', `WebGPU was requested but ${why}.`);
    return wasm(why);
  }
  const shaderF16 = adapter.features.includes('shader-f16');
  const wantsF16 = opts.dtype !== undefined && opts.dtype !== 'auto' && F16_DTYPES.has(opts.dtype);
  if (wantsF16 && !shaderF16) {
    if (request === 'webgpu') throw new EngineError('NO_F16', `${opts.dtype} weights need the shader-f16 feature, which the adapter (${adapter.vendor} ${adapter.architecture}) lacks.`);
  }
  // A software adapter (SwiftShader) is correct but 100-200x slower than WASM, so "auto" only
  // takes it when asked explicitly.
  if (request === 'auto' && adapter.isFallbackAdapter) {
    return wasm(`the only WebGPU adapter is a software fallback (${adapter.vendor} ${adapter.architecture}), slower than WASM`, adapter);
  }
  return { backend: 'webgpu', adapter, shaderF16, threads, crossOriginIsolated: env.crossOriginIsolated, reason: null };
}

/**
 * Weight files to try, best first, for a backend. fp16 and q4f16 only with shader-f16 on WebGPU.
 * WASM prefers 4-bit: the smallest download, and for scoring-sized passes about as fast as fp32
 * (WASM has no 4-bit kernel, so MatMulNBits dequantises each weight on every pass: a fixed cost
 * that makes small passes, generation, slower; docs/speed.md). q8 (dynamic int8) multiplies
 * faster, but quantises each pass's activations with one scale for the whole batch, so a row's
 * score would depend on the rows batched with it; it comes after q4.
 */
export function dtypeCandidates(choice: BackendChoice, requested: Dtype | 'auto' = 'auto'): Dtype[] {
  if (requested !== 'auto') {
    if (F16_DTYPES.has(requested) && choice.backend === 'webgpu' && !choice.shaderF16) {
      throw new EngineError('NO_F16', `${requested} weights need the shader-f16 WebGPU feature, which this adapter lacks.`);
    }
    if (requested === 'q8' && choice.backend === 'webgpu') {
      throw new EngineError('BAD_MODEL', 'q8 weights (model_quantized.onnx) are not run on WebGPU: they are reported to give wrong results there and no test here shows them right.', {
        remedy: 'Pick q4 or fp32 weights for WebGPU (q4f16 or fp16 where the GPU has shader-f16), or run q8 on the WASM backend.',
      });
    }
    return [requested];
  }
  // No q8 on WebGPU (see above).
  if (choice.backend === 'webgpu') return choice.shaderF16 ? ['q4f16', 'fp16', 'q4', 'fp32'] : ['q4', 'fp32'];
  // q4f16 last: WASM runs its float16 kernels more slowly, but it is the smallest download and
  // may be the only format that fits.
  return ['q4', 'q8', 'fp32', 'q4f16'];
}

export { DTYPE_FILES };
