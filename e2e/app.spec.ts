/**
 * The whole app as a person uses it, on the production build with the shipped model on WASM:
 * data in, a live run, the result; bad files; pause and resume.
 */
import { test, expect } from './fixtures';
import { getTask } from '../src/datasets/tasks/index.ts';
import { addTwoPasted, ready } from './steps';

test('paste the add_two pairs, run on WASM, watch it live, get an add prompt first', async ({ page }) => {
  test.setTimeout(300_000);
  await ready(page);
  await page.getByTestId('paste').fill(addTwoPasted());
  await expect(page.getByTestId('row-count')).toHaveText('100');
  await expect(page.getByTestId('estimate')).toContainText('steps');
  // Before any run: the time at the speed the model measured when it loaded, for these 100 rows and the quick preset.
  await expect(page.getByTestId('estimate-time')).toContainText(/About \d+ ?(s|min)/);
  expect(Number(await page.getByTestId('estimate').getAttribute('data-seconds'))).toBeGreaterThan(0);
  await expect(page.getByTestId('estimate')).toContainText('Up to 31 steps; each scores 24 candidates on 16 examples');
  await page.getByTestId('run').click();
  // The charts and the pool table change while it runs.
  await expect(page.getByTestId('charts')).toHaveAttribute('data-steps', /^[1-9]/, { timeout: 60_000 });
  const firstPool = await page.getByTestId('pool').textContent();
  const firstSteps = Number(await page.getByTestId('charts').getAttribute('data-steps'));
  await expect.poll(async () => Number(await page.getByTestId('charts').getAttribute('data-steps')), { timeout: 60_000 }).toBeGreaterThan(firstSteps + 2);
  const later = await page.getByTestId('pool').textContent();
  expect(later).not.toEqual(firstPool);
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 240_000 });
  const top = await page.getByTestId('explanation-text').first().textContent();
  expect(getTask('add_two').isCorrect(top ?? ''), `top explanation: ${top}`).toBe(true);
  await expect(page.getByTestId('baseline-row')).toContainText('no prompt');
  // Try it: the model's output with and without the prompt, under the search's template.
  await page.getByTestId('try-input').fill('Given the input numbers 2 and 5, the answer is');
  await expect(page.getByTestId('try-template')).toHaveText(JSON.stringify(`${top}. Given the input numbers 2 and 5, the answer is`));
  await page.getByTestId('try-run').click();
  // The built-in model with a correct add_two prompt adds 2 and 5.
  await expect(page.getByTestId('try-with')).toContainText('7');
  await expect(page.getByTestId('try-without')).not.toBeEmpty();
  // Lineage of a pool prompt.
  await page.getByTestId('pool-row').first().click();
  await expect(page.getByTestId('lineage')).toBeVisible();
});

test('upload a CSV and choose its columns; a broken file shows its error and keeps the data', async ({ page }) => {
  await ready(page);
  const ex = getTask('double_one').generate(10, 1);
  const csv = 'id,question,answer\n' + ex.map((e, i) => `${i},"${e.input}",${e.output.trim()}`).join('\n') + '\n';
  await page.getByTestId('upload').setInputFiles({ name: 'pairs.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('row-count')).toHaveText('10');
  await page.getByTestId('input-col').selectOption('question');
  await page.getByTestId('output-col').selectOption('answer');
  await expect(page.getByTestId('preview')).toContainText('Given the input x is');
  await expect(page.getByTestId('preview')).toContainText(JSON.stringify(ex[0].output.trim()));

  await page.getByTestId('upload').setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('question,answer\n"a,1\nb,2\n') });
  await expect(page.getByTestId('data-error')).toContainText('broken.csv: Line 2');
  await expect(page.getByTestId('data-error')).toContainText('previous data (10 rows) is kept');
  await expect(page.getByTestId('row-count')).toHaveText('10');
});

test('pause stops the steps, resume finishes the run', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page);
  await page.getByTestId('suite').selectOption('double_one');
  await expect(page.getByTestId('row-count')).toHaveText('10');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('step')).not.toHaveText('0', { timeout: 60_000 });
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 30_000 });
  const at = await page.getByTestId('step').textContent();
  // 'paused' is shown once the worker's search is blocked between steps; the step count then
  // holds until resume, and the next step shown is the one after it.
  await expect(page.getByTestId('step')).toHaveText(at!);
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('run-status')).not.toHaveText('paused');
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 180_000 });
  await expect(page.getByTestId('explanation-row').first()).toBeVisible();
});
