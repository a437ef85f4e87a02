import { test, expect } from './fixtures';

test('page renders and is cross-origin isolated', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1').first()).toBeVisible();
  await expect(page.locator('h1').first()).toContainText('iPrompt');
  // COOP/COEP from vite preview; needed for SharedArrayBuffer (multi-threaded WASM).
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});

test('without the WebGPU flag there is no adapter', async ({ page }) => {
  await page.goto('/');
  const hasAdapter = await page.evaluate(async () => {
    if (!('gpu' in navigator) || !navigator.gpu) return false;
    return (await navigator.gpu.requestAdapter()) !== null;
  });
  expect(hasAdapter).toBe(false);
});

test('with --enable-unsafe-webgpu there is a (SwiftShader) adapter', { tag: '@webgpu' }, async ({ page }) => {
  await page.goto('/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const info = await page.evaluate(async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) return null;
    return {
      vendor: adapter.info.vendor,
      architecture: adapter.info.architecture,
      shaderF16: adapter.features.has('shader-f16'),
    };
  });
  expect(info).not.toBeNull();
  test.info().annotations.push({ type: 'adapter', description: JSON.stringify(info) });
});
