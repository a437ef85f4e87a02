/**
 * WebGPU in headless Chromium with --enable-unsafe-webgpu (SwiftShader: a software adapter without
 * shader-f16). Correctness only: WebGPU scores must equal WASM scores. The fixture fails the test
 * on any WebGPU validation error in the console (page or worker).
 */
import { expect, test } from './fixtures.ts';
import { startHubServer, type HubServer } from './hubServer.ts';
import { HUB_MODELS } from './models.ts';
import { DEFAULT_MODEL } from '../src/engine/shippedModels.ts';
import { loadNodeModel } from '../src/engine/node/nodeModel.ts';

test.describe('WebGPU @webgpu', () => {
  let hub: HubServer;
  test.beforeAll(async () => {
    hub = await startHubServer(HUB_MODELS);
  });
  test.afterAll(() => hub.close());

  for (const id of ['test/tiny-llama', 'test/tiny-gpt2']) {
    for (const dtype of ['fp32', 'q4'] as const) {
      test(`${id} ${dtype}: WebGPU scores equal WASM scores within 1e-4`, async ({ page }) => {
        test.setTimeout(120_000);
        await page.goto('/harness.html');
        await page.waitForFunction(() => 'harness' in window);
        const result = await page.evaluate(
          async ([id, template, dtype]) => {
            const h = window.harness;
            const spec = (backend: 'wasm' | 'webgpu') => ({ source: { kind: 'hub' as const, id }, hubUrl: template, backend, dtype });
            const gpu = await h.call('gpu', 'load', spec('webgpu'));
            const cpu = await h.call('cpu', 'load', spec('wasm'));
            if (!gpu.ok || !cpu.ok) return { error: JSON.stringify([gpu, cpu]) };
            const texts = ['Given the input numbers 8 and 0, the answer is', ' 8.', 'Data:\n\nInput: word', ' Output: words and more'];
            const tok = await h.call('cpu', 'tokenize', { texts });
            if (!tok.ok) return { error: 'tokenize' };
            const [c1, k1, c2, k2] = tok.value;
            const pairs = [
              { context: c1, continuation: k1 },
              { context: c2, continuation: k2 },
            ];
            const a = await h.call('gpu', 'score', { pairs });
            const b = await h.call('cpu', 'score', { pairs });
            if (!a.ok || !b.ok) return { error: JSON.stringify([a, b]) };
            let maxDiff = 0;
            a.value.forEach((s, i) => s.logprobs.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b.value[i].logprobs[j])))));
            const ga = await h.call('gpu', 'generate', { contexts: [c1], options: { max_new_tokens: 6, seed: 3 } });
            const gb = await h.call('cpu', 'generate', { contexts: [c1], options: { max_new_tokens: 6, seed: 3 } });
            return { maxDiff, gpu: gpu.value.backend, tokensGpu: ga.ok ? ga.value : null, tokensCpu: gb.ok ? gb.value : null, n: a.value.reduce((s, x) => s + x.logprobs.length, 0) };
          },
          [id, hub.template, dtype] as const,
        );
        expect(result.error).toBeUndefined();
        expect(result.gpu?.backend).toBe('webgpu');
        expect(result.gpu?.adapter?.isFallbackAdapter).toBe(true);
        expect(result.gpu?.shaderF16).toBe(false);
        expect(result.n).toBeGreaterThan(3);
        expect(result.maxDiff).toBeLessThanOrEqual(1e-4);
        // Both generate calls must have succeeded: two failures would compare null with null.
        expect(result.tokensGpu).not.toBeNull();
        expect(result.tokensGpu![0]).toHaveLength(6);
        expect(result.tokensGpu).toEqual(result.tokensCpu);
      });
    }
  }

  test(`the shipped model (${DEFAULT_MODEL}) scores the same on WebGPU, on WASM and in Node`, async ({ page }) => {
    test.setTimeout(120_000);
    const texts = [' Return the sum of the inputs. Given the input numbers 3 and 4, the answer is', ' 7', ' Write the word backwards. Input: cat Answer:', ' tac'];
    // The same engine in this Node process (onnxruntime-web's WASM build), on the same q4 weights.
    const node = await loadNodeModel(DEFAULT_MODEL, { dtype: 'q4' });
    const ids = texts.map((t) => node.tokenizer.encode(t));
    const nodeScores = await node.engine.score([
      { context: ids[0], continuation: ids[1] },
      { context: ids[2], continuation: ids[3] },
    ]);
    await node.dispose();
    await page.goto('/harness.html');
    await page.waitForFunction(() => 'harness' in window);
    const result = await page.evaluate(async ([name, texts]) => {
      const h = window.harness;
      const spec = (backend: 'wasm' | 'webgpu') => ({ source: { kind: 'shipped' as const, name }, backend, dtype: 'q4' as const });
      const gpu = await h.call('gpu', 'load', spec('webgpu'));
      const cpu = await h.call('cpu', 'load', spec('wasm'));
      if (!gpu.ok || !cpu.ok) return { error: JSON.stringify([gpu, cpu]) };
      const tok = await h.call('cpu', 'tokenize', { texts });
      if (!tok.ok) return { error: 'tokenize' };
      const pairs = [
        { context: tok.value[0], continuation: tok.value[1] },
        { context: tok.value[2], continuation: tok.value[3] },
      ];
      const a = await h.call('gpu', 'score', { pairs });
      const b = await h.call('cpu', 'score', { pairs });
      if (!a.ok || !b.ok) return { error: 'score' };
      let maxDiff = 0;
      a.value.forEach((s, i) => s.logprobs.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b.value[i].logprobs[j])))));
      return { maxDiff, backend: gpu.value.backend.backend, ids: tok.value, wasm: b.value.flatMap((x) => Array.from(x.logprobs)) };
    }, [DEFAULT_MODEL, texts] as const);
    expect(result.error).toBeUndefined();
    expect(result.backend).toBe('webgpu');
    expect(result.maxDiff).toBeLessThanOrEqual(1e-4);
    expect(result.ids).toEqual(ids);
    const nodeLogprobs = nodeScores.flatMap((x) => Array.from(x.logprobs));
    expect(nodeLogprobs).toHaveLength(result.wasm!.length);
    nodeLogprobs.forEach((v, i) => expect(Math.abs(v - result.wasm![i])).toBeLessThanOrEqual(1e-4));
  });

  test('auto stays on WASM over a software adapter and says why; fp16 weights are refused with NO_F16', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
    await expect(page.getByTestId('backend')).toHaveText('WASM');
    await expect(page.getByTestId('backend-reason')).toContainText('software fallback');
    await expect(page.getByTestId('adapter')).toContainText('software fallback adapter');
    await page.goto('/harness.html');
    await page.waitForFunction(() => 'harness' in window);
    const res = await page.evaluate((template) => window.harness.call('f16', 'load', { source: { kind: 'hub', id: 'test/tiny-llama' }, hubUrl: template, backend: 'webgpu', dtype: 'q4f16' }), hub.template);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('NO_F16');
  });

  test('the first page runs on WebGPU when asked', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
    await page.getByTestId('backend-select').selectOption('webgpu');
    await page.getByTestId('load').click();
    await expect(page.getByTestId('backend')).toHaveText('WebGPU', { timeout: 60_000 });
    await expect(page.getByTestId('adapter')).toContainText('swiftshader');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('completion-text')).not.toBeEmpty({ timeout: 60_000 });
  });
});
