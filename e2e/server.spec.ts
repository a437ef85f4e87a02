/**
 * The model panel's "a vLLM server" in Chromium, against the test fixture server
 * (src/test/vllmFixtureServer.ts, answering from the engine on the shipped model in this Node
 * process) and the local hub stand-in for the tokenizer: connect, search, share (the link names
 * the served model, never the address), and a server that refuses the page's origin (CORS).
 */
import path from 'node:path';
import { test, expect } from './fixtures';
import { startHubServer, type HubServer } from './hubServer.ts';
import { openShareLinkElsewhere, ready } from './steps';
import { DEFAULT_MODEL } from '../src/engine/shippedModels.ts';
import { loadNodeModel } from '../src/engine/node/nodeModel.ts';
import type { LoadedModel } from '../src/engine/loadModel.ts';
import { VllmFixtureServer } from '../src/test/vllmFixtureServer.ts';
import { decodePermalink } from '../src/share/permalink.ts';

const SERVED = 'acme/tiny-tasks-llama';
let m: LoadedModel;
let hub: HubServer;

test.beforeAll(async () => {
  m = await loadNodeModel(DEFAULT_MODEL, { dtype: 'q4' });
  hub = await startHubServer({ [SERVED]: path.resolve('public/models', DEFAULT_MODEL) });
});
test.afterAll(async () => {
  await hub?.close();
  await m?.dispose();
});

async function fillServer(page: import('@playwright/test').Page, url: string, key = '') {
  await page.locator('summary', { hasText: 'Hub address' }).click();
  await page.getByTestId('hub-url').fill(hub.template);
  await page.getByTestId('model-select').selectOption('server');
  await expect(page.getByTestId('server-notice')).toContainText('your data is sent to that server');
  await page.getByTestId('server-url').fill(url);
  await page.getByTestId('server-model').fill(SERVED);
  await page.getByTestId('server-key').fill(key);
}

test('connects to a server, runs a search on it, and shares a link that names the model but not the server', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const server = new VllmFixtureServer({ engine: m.engine, tokenizer: m.tokenizer, model: SERVED, apiKey: 'k-123' });
  await server.start();
  try {
    await ready(page);
    await fillServer(page, server.url, 'k-123');
    await page.getByTestId('connect').click();
    await expect(page.getByTestId('model-name')).toContainText(`${SERVED} · on the vLLM server at ${server.url}`, { timeout: 60_000 });
    await expect(page.getByTestId('server-tokenizer-info')).toContainText("the same as the server's (checked by its tokenize endpoint)");
    await expect(page.getByTestId('server-data-notice')).toContainText('is sent to this server');

    await page.getByTestId('suite').selectOption('double_one');
    await page.locator('summary', { hasText: 'Advanced' }).click();
    await page.getByTestId('opt-max_n_steps').fill('2');
    await expect(page.getByTestId('estimate')).toContainText('No time estimate for a server');
    await page.getByTestId('run').click();
    await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 180_000 });
    expect(server.log.filter((l) => l.path === '/v1/completions').length).toBeGreaterThan(10);
    const prompts = await page.getByTestId('ranked-prompt').allTextContents();
    expect(prompts.length).toBeGreaterThan(0);

    const { url, other, context } = await openShareLinkElsewhere(page, browser);
    expect(url).not.toContain(encodeURIComponent(server.url));
    const run = await decodePermalink(url);
    expect(run.model).toEqual({ kind: 'server', name: SERVED });
    expect(JSON.stringify(run)).not.toContain('127.0.0.1');
    expect(JSON.stringify(run)).not.toContain('k-123');
    expect(await other.getByTestId('ranked-prompt').allTextContents()).toEqual(prompts);
    await context.close();
    // The key stays in this browser only: in its storage, never in the page's address.
    expect(page.url()).not.toContain('k-123');
  } finally {
    await server.stop();
  }
});

test('a server that refuses this page\'s origin says so with the vLLM flag, and the loaded model stays', async ({ page }) => {
  test.setTimeout(120_000);
  const server = new VllmFixtureServer({ engine: m.engine, tokenizer: m.tokenizer, model: SERVED, allowedOrigin: 'http://elsewhere.example' });
  await server.start();
  try {
    await ready(page);
    await fillServer(page, server.url);
    await page.getByTestId('connect').click();
    const error = page.getByTestId('engine-error');
    await expect(error).toHaveAttribute('data-code', 'SERVER', { timeout: 60_000 });
    const origin = new URL(page.url()).origin;
    await expect(error).toContainText(`--allowed-origins '["${origin}"]'`);
    await expect(error).toContainText('CORS');
    await expect(page.getByTestId('status')).toHaveText('ready');
    await expect(page.getByTestId('model-name')).toContainText('tiny-tasks-llama');
    // The browser sent the preflight and got no permission; nothing reached the completions route.
    expect(server.log.some((l) => l.path === '/v1/completions')).toBe(false);
  } finally {
    await server.stop();
  }
});

test('the tokenizer can come from a folder on disk instead of the hub, and a folder without one says so', async ({ page }) => {
  test.setTimeout(120_000);
  const server = new VllmFixtureServer({ engine: m.engine, tokenizer: m.tokenizer, model: SERVED });
  await server.start();
  try {
    await ready(page);
    await page.getByTestId('model-select').selectOption('server');
    await page.getByTestId('server-url').fill(server.url);
    await page.getByTestId('server-model').fill(SERVED);
    // No hub here: a folder without a tokenizer first, then the model's own folder.
    await page.getByTestId('server-tokenizer-folder').setInputFiles(path.resolve('test-models/replicas/smollm2-gqa/onnx'));
    await expect(page.getByTestId('server-tokenizer-picked')).toContainText('(from disk)');
    await page.getByTestId('connect').click();
    await expect(page.getByTestId('engine-error')).toContainText('tokenizer.json', { timeout: 60_000 });
    await expect(page.getByTestId('engine-error')).toContainText(`The server serves ${SERVED}, but its tokenizer`);
    await page.getByTestId('server-tokenizer-folder').setInputFiles(path.resolve('public/models', DEFAULT_MODEL));
    await page.getByTestId('connect').click();
    await expect(page.getByTestId('model-name')).toContainText(`${SERVED} · on the vLLM server`, { timeout: 60_000 });
    await expect(page.getByTestId('server-tokenizer-info')).toContainText("local files (2), here in this tab; the same as the server's");
  } finally {
    await server.stop();
  }
});
