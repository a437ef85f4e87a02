/**
 * The export replicas through the app, as a person would use a hub model: the local hub server
 * serves each replica under the catalogue id it stands in for; the model is picked from the
 * catalogue (or typed, for the merged decoder), loaded on WASM, runs the quick preset to the end,
 * and its permalink reopens in a fresh browser. A format too large for WASM is refused before a
 * byte of its weights is downloaded.
 */
import { cp, mkdtemp, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { openShareLinkElsewhere } from './steps';
import { startHubServer, type HubServer } from './hubServer.ts';
import { CATALOGUE_REPLICAS, REPLICAS_DIR } from './models.ts';
import { REPLICAS } from '../tools/modelgen/replicas.ts';

let hub: HubServer;
let bigDir: string;
const MERGED_ID = 'Xenova/merged-decoder-replica';
const BIG_ID = 'test-org/too-big-for-wasm';

test.beforeAll(async () => {
  // A copy of the Llama 3.2 replica whose fp32 weights are 3.8 GB of sparse files: real sizes,
  // never read.
  bigDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'iprompt-big-')), 'llama');
  await cp(path.join(REPLICAS_DIR, 'llama32-gqa'), bigDir, { recursive: true });
  await truncate(path.join(bigDir, 'onnx', 'model.onnx_data'), 1.9e9);
  await truncate(path.join(bigDir, 'onnx', 'model.onnx_data_1'), 1.9e9);
  hub = await startHubServer({ ...CATALOGUE_REPLICAS, [MERGED_ID]: path.join(REPLICAS_DIR, 'merged-decoder'), [BIG_ID]: bigDir });
});
test.afterAll(async () => {
  await hub.close();
  await rm(path.dirname(bigDir), { recursive: true, force: true });
});

async function loadFromHub(page: Page, id: string, opts: { custom?: boolean; dtype?: string } = {}) {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await page.locator('summary', { hasText: 'Hub address' }).click();
  await page.getByTestId('hub-url').fill(hub.template);
  if (opts.custom) {
    await page.getByTestId('model-select').selectOption('custom');
    await page.getByTestId('hub-id').fill(id);
  } else {
    await page.getByTestId('model-select').selectOption(id);
  }
  if (opts.dtype) await page.getByTestId('dtype-select').selectOption(opts.dtype);
  await page.getByTestId('load').click();
}

// One run per replica: the catalogue models it covers share its files.
const runs = REPLICAS.map((r) => ({ replica: r.name, style: r.style, id: r.covers[0] ?? MERGED_ID, custom: r.covers.length === 0 }));

for (const { replica, style, id, custom } of runs) {
  test(`${replica} (as ${id}): loads from the ${custom ? 'hub id box' : 'catalogue'}, runs the quick preset on WASM, its permalink reopens`, async ({ page, browser }) => {
    test.setTimeout(300_000);
    await loadFromHub(page, id, { custom });
    await expect(page.getByTestId('model-name')).toContainText(id, { timeout: 60_000 });
    await expect(page.getByTestId('backend')).toHaveText('WASM');
    // None of these exports has num_logits_to_keep: the engine added the rows input in the browser too.
    await expect(page.getByTestId('logits-info')).toContainText('only where needed (the engine added a rows input before');
    // 4-bit weights on WASM become float32 at load, so fused GroupQueryAttention also reuses
    // prefixes (one position per pass); the others share them in a batched pass.
    await expect(page.getByTestId('nbits-info')).toContainText('expanded to float32 at load');
    await expect(page.getByTestId('prefix-info')).toHaveText(
      style === 'fused-gqa'
        ? 'run once per group of rows that share them (the rest one position per pass: GroupQueryAttention)'
        : 'run once per group of rows that share them (the rest in one batched pass)',
    );
    await page.getByTestId('suite').selectOption('double_one');
    await expect(page.getByTestId('row-count')).toHaveText('10');
    await page.getByTestId('preset-quick').check();
    await page.getByTestId('run').click();
    await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 240_000 });
    const prompts = await page.getByTestId('ranked-prompt').allTextContents();
    expect(prompts.length).toBeGreaterThan(0);
    const { other, context } = await openShareLinkElsewhere(page, browser);
    expect(await other.getByTestId('ranked-prompt').allTextContents()).toEqual(prompts);
    await context.close();
  });
}

test('a format too large for WASM is refused before its weights are downloaded; the catalogue marks such formats', async ({ page }) => {
  test.setTimeout(120_000);
  await loadFromHub(page, BIG_ID, { custom: true, dtype: 'fp32' });
  const error = page.getByTestId('engine-error');
  await expect(error).toHaveAttribute('data-code', 'OUT_OF_MEMORY', { timeout: 60_000 });
  await expect(error).toContainText('does not fit WASM');
  await expect(error).toContainText('3.5 GB');
  // The remedy names a format that fits (q4f16, the smallest here).
  await expect(error).toContainText('choose q4f16');
  expect([...hub.hits.keys()].filter((p) => p.startsWith(`/${BIG_ID}/`) && p.includes('onnx_data'))).toEqual([]);
  // The previous model is still loaded and working.
  await expect(page.getByTestId('status')).toHaveText('ready');
  await expect(page.getByTestId('model-name')).toContainText('tiny-tasks-llama');

  // The catalogue marks Llama 3.2 1B's fp32 (4.94 GB) and fp16 (a 2.47 GB file) as too large for WASM.
  await page.getByTestId('model-select').selectOption('onnx-community/Llama-3.2-1B-Instruct');
  const variant = (d: string) => page.locator(`[data-testid="catalogue-variant"][data-dtype="${d}"]`);
  await expect(variant('fp32')).toHaveAttribute('data-fits-wasm', 'false');
  await expect(variant('fp16')).toHaveAttribute('data-fits-wasm', 'false');
  await expect(variant('q4')).toHaveAttribute('data-fits-wasm', 'true');
  await expect(variant('fp32')).toContainText('too large for WASM');
});
