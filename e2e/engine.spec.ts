/**
 * The engine in a real Chromium, in a real module worker, on WASM (this project runs without the
 * WebGPU flag): the first page, hub downloads with progress, Cache Storage, cut-off downloads,
 * cancellation and broken models.
 */
import { mkdtemp, cp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { startHubServer, type HubServer } from './hubServer.ts';
import { HUB_MODELS } from './models.ts';

test.describe('first page', () => {
  test('loads the shipped model on WASM, says why, and generates a line', async ({ page }) => {
    const wasm = new Set<string>();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.endsWith('.wasm')) wasm.add(r.url());
    });
    await page.goto('/');
    await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
    await expect(page.getByTestId('backend')).toHaveText('WASM');
    // Chromium has JS Promise Integration: the fast build is the one that runs.
    await expect(page.getByTestId('runtime')).toContainText('jspi');
    // One runtime binary per page: the JSPI build's (the asyncify one is never fetched here).
    expect([...wasm]).toHaveLength(1);
    expect([...wasm][0]).toContain('jspi');
    // No WebGPU flag: the reason names the missing adapter; the page is isolated so WASM has threads.
    await expect(page.getByTestId('backend-reason')).toContainText('adapter');
    await expect(page.getByTestId('threads')).toHaveText(String(Math.min(4, os.cpus().length)));
    await page.getByTestId('seed').fill('5');
    await page.getByTestId('generate').click();
    const first = await page.getByTestId('completion-text').textContent({ timeout: 20_000 });
    expect(first?.length).toBeGreaterThan(0);
    // Same seed, same text; another seed, another text.
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('completion-text')).toHaveText(first!);
    await page.getByTestId('seed').fill('6');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('completion-text')).not.toHaveText(first!);
  });

  test('asking for WebGPU where there is none is NO_WEBGPU with a remedy, and the model keeps working', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
    await page.getByTestId('backend-select').selectOption('webgpu');
    await page.getByTestId('load').click();
    await expect(page.getByTestId('engine-error')).toHaveAttribute('data-code', 'NO_WEBGPU');
    await expect(page.getByTestId('engine-error')).toContainText('WASM');
    await expect(page.getByTestId('status')).toHaveText('ready');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('completion-text')).not.toBeEmpty();
  });
});

test.describe('a model folder from disk', () => {
  test('loads a picked folder, and a folder without graphs is BAD_MODEL naming the file', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
    await page.getByTestId('pick-folder').setInputFiles(HUB_MODELS['test/tiny-gpt2']);
    await expect(page.getByTestId('model-name')).toContainText('local files', { timeout: 30_000 });
    await expect(page.getByTestId('model-name')).toContainText('gpt2');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('completion-text')).not.toBeEmpty();

    const tmp = await mkdtemp(path.join(os.tmpdir(), 'pick-'));
    const dir = path.join(tmp, 'no-graph');
    await cp(HUB_MODELS['test/tiny-llama'], dir, { recursive: true });
    await rm(path.join(dir, 'onnx'), { recursive: true });
    await page.getByTestId('pick-folder').setInputFiles(dir);
    await expect(page.getByTestId('engine-error')).toHaveAttribute('data-code', 'BAD_MODEL');
    await expect(page.getByTestId('engine-error')).toContainText('onnx/model_q4.onnx');
    // The model that worked is still there.
    await expect(page.getByTestId('model-name')).toContainText('gpt2');
    await rm(tmp, { recursive: true, force: true });
  });
});

test.describe('hub downloads', () => {
  let hub: HubServer;
  let tmp: string;
  test.beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'hub-'));
    const noGraph = path.join(tmp, 'no-graph');
    await cp(HUB_MODELS['test/tiny-llama'], noGraph, { recursive: true });
    await rm(path.join(noGraph, 'onnx'), { recursive: true });
    hub = await startHubServer({ ...HUB_MODELS, 'test/no-graph': noGraph });
  });
  test.afterAll(async () => {
    await hub.close();
    await rm(tmp, { recursive: true, force: true });
  });

  async function openHarness(page: Page) {
    await page.goto('/harness.html');
    await page.waitForFunction(() => 'harness' in window);
    await page.evaluate(() => window.harness.clearCache());
  }

  const load = (page: Page, id: string, dtype = 'q4', name = 'w') =>
    page.evaluate(([id, template, dtype, name]) => window.harness.call(name, 'load', { source: { kind: 'hub', id }, hubUrl: template, backend: 'wasm', dtype: dtype as 'q4' }), [id, hub.template, dtype, name] as const);

  test('streams progress, caches finished files, and loads offline the second time', async ({ page }) => {
    await openHarness(page);
    const first = await load(page, 'test/tiny-llama');
    expect(first.ok).toBe(true);
    const progress = await page.evaluate(() => window.harness.progress('w'));
    const last = progress[progress.length - 1];
    const graph = last.files.find((f) => f.file === 'onnx/model_q4.onnx')!;
    expect(graph.done).toBe(true);
    expect(graph.loaded).toBe(graph.total);
    expect(last.loaded).toBe(last.total);
    const graphPath = '/test/tiny-llama/resolve/main/onnx/model_q4.onnx';
    expect(hub.hits.get(graphPath)).toBe(1);
    const cached = await page.evaluate(() => window.harness.cached());
    expect(cached.some((c) => c.url.endsWith('onnx/model_q4.onnx') && c.bytes === graph.total)).toBe(true);

    // Second load in a fresh worker: every file comes from Cache Storage, no request reaches the server.
    await page.evaluate(() => window.harness.terminate('w'));
    const before = new Map(hub.hits);
    const second = await load(page, 'test/tiny-llama');
    expect(second.ok).toBe(true);
    expect(hub.hits.get(graphPath)).toBe(before.get(graphPath));
    const p2 = await page.evaluate(() => window.harness.progress('w'));
    expect(p2[p2.length - 1].files.every((f) => f.fromCache)).toBe(true);
  });

  test('a download cut off halfway is not cached, and the next load fetches it again', async ({ page }) => {
    await openHarness(page);
    hub.truncateNext('tiny-gpt2/resolve/main/onnx/model_q4.onnx');
    const graphPath = '/test/tiny-gpt2/resolve/main/onnx/model_q4.onnx';
    const hitsBefore = hub.hits.get(graphPath) ?? 0;
    const failed = await load(page, 'test/tiny-gpt2');
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.code).toBe('NETWORK');
      expect(failed.error.message).toContain('onnx/model_q4.onnx');
    }
    const cached = await page.evaluate(() => window.harness.cached());
    expect(cached.some((c) => c.url.endsWith('tiny-gpt2/resolve/main/onnx/model_q4.onnx'))).toBe(false);
    const again = await load(page, 'test/tiny-gpt2');
    expect(again.ok).toBe(true);
    expect(hub.hits.get(graphPath)).toBe(hitsBefore + 2);
  });

  test('cancelling a download stops it with ABORTED and caches nothing partial', async ({ page }) => {
    await openHarness(page);
    hub.slow('tiny-llama/resolve/main/onnx/model.onnx', 4000);
    const pending = load(page, 'test/tiny-llama', 'fp32', 'slow');
    await page.waitForFunction(() => window.harness.progress('slow').some((p) => p.files.some((f) => f.file === 'onnx/model.onnx' && f.loaded > 0)));
    await page.evaluate(() => window.harness.abort('slow'));
    const res = await pending;
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('ABORTED');
    const cached = await page.evaluate(() => window.harness.cached());
    expect(cached.some((c) => c.url.endsWith('onnx/model.onnx'))).toBe(false);
  });

  test('a model without graph files is BAD_MODEL naming the file', async ({ page }) => {
    await openHarness(page);
    const res = await load(page, 'test/no-graph');
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('BAD_MODEL');
      expect(res.error.file).toBe('onnx/model_q4.onnx');
    }
  });

  test('the asyncify build (browsers without JSPI) scores as the JSPI build does', async ({ page }) => {
    await openHarness(page);
    const result = await page.evaluate(async (template) => {
      const h = window.harness;
      const spec = (runtime: 'jspi' | 'asyncify') => ({ source: { kind: 'hub' as const, id: 'test/tiny-llama' }, hubUrl: template, backend: 'wasm' as const, dtype: 'q4' as const, runtime });
      const a = await h.call('jspi', 'load', spec('jspi'));
      const b = await h.call('asyncify', 'load', spec('asyncify'));
      if (!a.ok || !b.ok) return { error: JSON.stringify([a, b]) };
      const tok = await h.call('jspi', 'tokenize', { texts: ['Given the input numbers 8 and 0, the answer is', ' 8.'] });
      if (!tok.ok) return { error: 'tokenize' };
      const pairs = [{ context: tok.value[0], continuation: tok.value[1] }];
      const sa = await h.call('jspi', 'score', { pairs });
      const sb = await h.call('asyncify', 'score', { pairs });
      if (!sa.ok || !sb.ok) return { error: 'score' };
      const diff = Math.max(...sa.value[0].logprobs.map((v, j) => Math.abs(v - sb.value[0].logprobs[j])));
      return { builds: [a.value.runtime, b.value.runtime], diff };
    }, hub.template);
    expect(result.error).toBeUndefined();
    expect(result.builds).toEqual(['jspi', 'asyncify']);
    expect(result.diff).toBeLessThanOrEqual(1e-5);
  });

  test('an unreachable hub is NETWORK naming the file', async ({ page }) => {
    await openHarness(page);
    const res = await page.evaluate(() => window.harness.call('x', 'load', { source: { kind: 'hub', id: 'a/b' }, hubUrl: 'http://127.0.0.1:9/{id}/{file}', backend: 'wasm' }));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('NETWORK');
      expect(res.error.message).toContain('config.json');
    }
  });
});
