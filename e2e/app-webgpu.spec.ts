/**
 * The app's run on WebGPU (SwiftShader here: correct, 100-200x slower than WASM, so the search is
 * kept small): the add_two pairs, a short search, an add prompt first. The budget spends its 16
 * candidates a step on fresh proposals (no mutations) and lets a prompt scored once into the final
 * ranking: with two steps, a good proposal from the last step would otherwise never be ranked, and
 * whether the result names addition would be a matter of the seed rather than of the app.
 */
import { test, expect } from './fixtures';
import { getTask } from '../src/datasets/tasks/index.ts';
import { addTwoPasted } from './steps';

test('paste the add_two pairs and run on WebGPU', { tag: '@webgpu' }, async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByTestId('load').click();
  await expect(page.getByTestId('backend')).toHaveText('WebGPU', { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveText('ready');
  await page.getByTestId('paste').fill(addTwoPasted());
  await expect(page.getByTestId('row-count')).toHaveText('100');
  await page.locator('summary', { hasText: 'Advanced' }).click();
  for (const [k, v] of Object.entries({ batch_size: '8', pop_size: '4', num_random_generations: '12', num_mutations: '0', max_n_steps: '1', final_rerank_top_k: '8', final_rerank_min_batches: '1', n_eval: '8' })) {
    await page.getByTestId(`opt-${k}`).fill(v);
  }
  await page.getByTestId('run').click();
  await expect(page.getByTestId('charts')).toBeVisible({ timeout: 200_000 });
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 300_000 });
  const top = await page.getByTestId('ranked-prompt').first().textContent();
  expect(getTask('add_two').isCorrect(top ?? ''), `top prompt: ${top}`).toBe(true);
});
