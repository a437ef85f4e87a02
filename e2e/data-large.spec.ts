/**
 * A 20 MB file with 100,000 rows: parsed off the main thread, the page stays responsive, the
 * preview shows the count; export of a result downloads real files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, expect } from './fixtures';

test('a 20 MB, 100,000-row CSV is parsed in a worker, not on the page', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  const pad = 'x'.repeat(160);
  const rows = Array.from({ length: 100_000 }, (_, i) => `${i},"Input ${i} ${pad}, with a comma",${i % 7}`);
  const csv = 'id,text,label\n' + rows.join('\n') + '\n';
  expect(csv.length).toBeGreaterThan(19_000_000);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  // Record long tasks on the main thread while the file is read and parsed.
  await page.evaluate(() => {
    (window as unknown as { longTasks: number[] }).longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) (window as unknown as { longTasks: number[] }).longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  // From disk: a buffer would be rebuilt inside the page by Playwright's own script, a long task of its own.
  const file = path.join(test.info().outputDir, 'big.csv');
  await mkdir(test.info().outputDir, { recursive: true });
  await writeFile(file, csv);
  await page.getByTestId('upload').setInputFiles(file);
  await expect(page.getByTestId('row-count')).toHaveText('100000', { timeout: 60_000 });
  await page.getByTestId('input-col').selectOption('text');
  await page.getByTestId('output-col').selectOption('label');
  await expect(page.getByTestId('preview')).toContainText('Input 0');
  const longest = await page.evaluate(() => Math.max(0, ...(window as unknown as { longTasks: number[] }).longTasks));
  // A figure, not an assertion: durations depend on how busy the machine is.
  test.info().annotations.push({ type: 'longest main-thread task (ms)', description: String(Math.round(longest)) });
  // What keeps the page responsive is structural: the file was parsed in the parse worker.
  expect(workers.some((u) => /parse\.worker/.test(u))).toBe(true);
});

test('a finished run exports as JSON and CSV', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('suite').selectOption('double_one');
  await page.locator('summary', { hasText: 'Advanced' }).click();
  await page.getByTestId('opt-max_n_steps').fill('2');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  const prompts = await page.getByTestId('ranked-prompt').allTextContents();
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const parsed = JSON.parse(await (await json.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8')));
  expect(parsed.prompts.slice(0, prompts.length).map((p: { text: string }) => p.text)).toEqual(prompts);
  expect(parsed.metadata.options.max_n_steps).toBe(2);
  // The explanations lead the export, as on the page.
  const shown = await page.getByTestId('explanation-text').allTextContents();
  expect(parsed.explanations.map((e: { text: string }) => e.text)).toEqual(shown);
  expect(typeof parsed.verdict.explained).toBe('boolean');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const text = Buffer.concat(await (await csv.createReadStream()).toArray()).toString('utf8');
  const lines = text.split('\r\n');
  expect(lines[0]).toBe('rank,explanation,source,accuracy,accuracy_low,accuracy_high,loss,loss_low,loss_high,indistinguishable_from_best,beats_no_prompt,prompts_as_found');
  expect(lines.filter((l) => l !== '')).toHaveLength(1 + shown.length);
  expect(lines[1].startsWith('1,')).toBe(true);
});
