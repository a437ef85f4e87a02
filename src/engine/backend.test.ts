/**
 * Backend choice with a stand-in `navigator.gpu` whose adapter we describe exactly (the real
 * adapters are covered by the browser tests: none without the flag, SwiftShader with it).
 */
import { describe, expect, it } from 'vitest';
import { chooseBackend, dtypeCandidates, type BackendEnvironment } from './backend.ts';
import { EngineError } from './errors.ts';

function gpuWith(adapter: { features: string[]; isFallbackAdapter: boolean; vendor?: string } | null): GPU {
  return {
    requestAdapter: async () =>
      adapter && ({ features: new Set(adapter.features), info: { vendor: adapter.vendor ?? 'acme', architecture: 'x', description: '', isFallbackAdapter: adapter.isFallbackAdapter } } as unknown as GPUAdapter),
  } as unknown as GPU;
}

const env = (gpu: GPU | null, isolated = true): BackendEnvironment => ({ gpu, crossOriginIsolated: isolated, hardwareConcurrency: 8 });

describe('chooseBackend', () => {
  it('takes a hardware adapter on auto, with its features', async () => {
    const c = await chooseBackend('auto', env(gpuWith({ features: ['shader-f16'], isFallbackAdapter: false })));
    expect(c).toMatchObject({ backend: 'webgpu', shaderF16: true, reason: null, adapter: { vendor: 'acme', isFallbackAdapter: false } });
    expect(dtypeCandidates(c)).toEqual(['q4f16', 'fp16', 'q4', 'fp32']);
  });

  it('falls back to WASM and says why: no navigator.gpu, no adapter, a software adapter', async () => {
    expect((await chooseBackend('auto', env(null))).reason).toMatch(/no WebGPU/);
    expect((await chooseBackend('auto', env(gpuWith(null)))).reason).toMatch(/no adapter/);
    const soft = await chooseBackend('auto', env(gpuWith({ features: [], isFallbackAdapter: true })));
    expect(soft.backend).toBe('wasm');
    expect(soft.reason).toMatch(/software fallback/);
    expect(soft.adapter?.isFallbackAdapter).toBe(true);
    expect(soft.threads).toBe(4);
  });

  it('uses a software adapter when WebGPU is asked for, with non-f16 weights', async () => {
    const c = await chooseBackend('webgpu', env(gpuWith({ features: [], isFallbackAdapter: true })));
    expect(c.backend).toBe('webgpu');
    // Never q8 on WebGPU: auto leaves it out, and asking for it is refused with a remedy.
    expect(dtypeCandidates(c)).toEqual(['q4', 'fp32']);
    expect(() => dtypeCandidates(c, 'q4f16')).toThrow(EngineError);
    expect(() => dtypeCandidates(c, 'q8')).toThrow(/not run on WebGPU/);
    expect(dtypeCandidates({ ...c, backend: 'wasm' }, 'q8')).toEqual(['q8']);
  });

  it('NO_WEBGPU when WebGPU is asked for and there is none; NO_F16 for f16 weights without shader-f16', async () => {
    await expect(chooseBackend('webgpu', env(null))).rejects.toMatchObject({ code: 'NO_WEBGPU' });
    await expect(chooseBackend('webgpu', env(gpuWith({ features: [], isFallbackAdapter: false })), { dtype: 'fp16' })).rejects.toMatchObject({ code: 'NO_F16' });
  });

  it('one WASM thread without cross-origin isolation, and says so', async () => {
    const c = await chooseBackend('wasm', env(null, false));
    expect(c.threads).toBe(1);
    expect(c.reason).toMatch(/cross-origin isolated/);
    expect(dtypeCandidates(c)).toEqual(['q4', 'q8', 'fp32', 'q4f16']);
  });
});
