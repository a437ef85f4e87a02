/**
 * The model panel against a local server in the hub's layout: one progress bar with per-file
 * detail, cancel, the cached list, and a second load from the cache with the server stopped.
 */
import { test, expect } from './fixtures';
import { startHubServer } from './hubServer.ts';
import { HUB_MODELS } from './models.ts';

test('hub model: progress, cancel, cached with its size, offline second load, delete', async ({ page }) => {
  test.setTimeout(180_000);
  const hub = await startHubServer({ 'test-org/tiny-llama': HUB_MODELS['test/tiny-llama'] });
  try {
    await page.goto('/');
    await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
    await page.locator('summary', { hasText: 'Hub address' }).click();
    await page.getByTestId('hub-url').fill(hub.template);
    await page.getByTestId('model-select').selectOption('custom');
    await page.getByTestId('hub-id').fill('test-org/tiny-llama');
    await page.getByTestId('dtype-select').selectOption('fp32');

    // A slow download shows the progress bar and can be cancelled; the shipped model stays loaded.
    hub.slow('tiny-llama/resolve/main/onnx/model.onnx_data', 8000);
    await page.getByTestId('load').click();
    await expect(page.getByTestId('load-progress')).toBeVisible();
    await expect(page.getByTestId('load-progress')).toContainText('onnx/model.onnx');
    await page.getByTestId('cancel-load').click();
    await expect(page.getByTestId('status')).toHaveText('ready');
    await expect(page.getByTestId('engine-error')).toHaveAttribute('data-code', 'ABORTED');
    await expect(page.getByTestId('model-name')).toContainText('tiny-tasks-llama');

    hub.slow('tiny-llama/resolve/main/onnx/model.onnx_data', 0);
    await page.getByTestId('load').click();
    await expect(page.getByTestId('model-name')).toContainText('test-org/tiny-llama', { timeout: 60_000 });
    await expect(page.getByTestId('cached-label').filter({ hasText: 'test-org/tiny-llama' })).toBeVisible();
    await expect(page.getByTestId('cached-model').filter({ hasText: 'test-org/tiny-llama' })).toContainText(/\d+(\.\d)? (KB|MB)/);
  } finally {
    await hub.close();
  }

  // Server gone: the same model loads from the cache.
  await page.reload();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('model-select').selectOption('custom');
  await page.getByTestId('hub-id').fill('test-org/tiny-llama');
  await page.getByTestId('dtype-select').selectOption('fp32');
  await page.getByTestId('load').click();
  await expect(page.getByTestId('model-name')).toContainText('test-org/tiny-llama', { timeout: 60_000 });

  const row = page.getByTestId('cached-model').filter({ hasText: 'test-org/tiny-llama' });
  await row.getByTestId('cached-delete').click();
  await expect(row).toHaveCount(0);
});
