/**
 * Which onnxruntime-web build the worker runs. One package version, two of its builds, and each
 * browser downloads exactly one:
 *  - JSPI (Chromium 137+): WebGPU and WASM in a 17 MB binary whose WASM kernels run at full speed
 *    (measured 3.7x faster than the default JSEP build, whose asyncify instrumentation slows
 *    every kernel);
 *  - asyncify: the same two backends for browsers without JS Promise Integration.
 * Both start their WASM threads from their own glue file, served from our origin (never a CDN).
 */
import jspiMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jspi.mjs?url';
import jspiWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jspi.wasm?url';
import asyncifyMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import asyncifyWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { Ort } from '../engine/ortTypes.ts';

export type RuntimeBuild = 'jspi' | 'asyncify';

export function hasJspi(): boolean {
  return typeof (WebAssembly as unknown as { Suspending?: unknown }).Suspending === 'function';
}

let cached: Promise<{ ort: Ort; build: RuntimeBuild }> | null = null;

/** Loads the build once per worker; `prefer` (tests, benchmarks) forces one where it can run. */
export function loadRuntime(prefer: RuntimeBuild | 'auto' = 'auto'): Promise<{ ort: Ort; build: RuntimeBuild }> {
  cached ??= (async () => {
    if (prefer !== 'asyncify' && hasJspi()) {
      const ort = (await import('onnxruntime-web/jspi')) as unknown as Ort;
      ort.env.wasm.wasmPaths = { mjs: jspiMjs, wasm: jspiWasm };
      return { ort, build: 'jspi' as const };
    }
    const ort = (await import('onnxruntime-web/webgpu')) as unknown as Ort;
    ort.env.wasm.wasmPaths = { mjs: asyncifyMjs, wasm: asyncifyWasm };
    return { ort, build: 'asyncify' as const };
  })();
  return cached;
}
