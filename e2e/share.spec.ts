/**
 * Permalinks and the history: a finished run opens in a fresh browser without recomputing; a
 * garbled link says what is wrong and leaves the app working; a reload keeps runs and data.
 */
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { openShareLinkElsewhere, ready } from './steps';

async function shortRun(page: Page) {
  await page.getByTestId('suite').selectOption('double_one');
  await expect(page.getByTestId('row-count')).toHaveText('10');
  await page.locator('summary', { hasText: 'Advanced' }).click();
  await page.getByTestId('opt-max_n_steps').fill('3');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 120_000 });
  return page.getByTestId('ranked-prompt').allTextContents();
}

test('a permalink opened in a fresh browser shows the same ranked prompts, and offers to run again', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await ready(page);
  const prompts = await shortRun(page);
  expect(prompts.length).toBeGreaterThan(0);
  const { url, other, context } = await openShareLinkElsewhere(page, browser);
  expect(url).toMatch(/#run=1\.\d+\.[0-9a-f]{8}\./);
  await expect(other.getByTestId('explanation-text').first()).toBeVisible();
  expect(await other.getByTestId('ranked-prompt').allTextContents()).toEqual(prompts);
  await expect(other.getByTestId('baseline-row')).toBeVisible();
  await expect(other.getByTestId('row-count')).toHaveText('10');
  await expect(other.getByTestId('charts')).toBeVisible();
  // Nothing was recomputed: no step has run in this browser.
  await expect(other.getByTestId('run-progress')).toHaveCount(0);
  await expect(other.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await expect(other.getByTestId('run')).toHaveText('Run again');
  await expect(other.getByTestId('run')).toBeEnabled();
  await other.screenshot({ path: 'test-results/screenshots/permalink-opened.png', fullPage: true });
  await context.close();
});

test('a garbled or cut-off link shows its message and the app keeps working', async ({ page }) => {
  await ready(page, '/#run=1.5000.0badc0de.eNpLy');
  await expect(page.getByTestId('link-error')).toContainText('incomplete');
  await page.getByTestId('suite').selectOption('add_two');
  await expect(page.getByTestId('row-count')).toHaveText('100');
  await page.goto('/#run=1.8.00000000.AAAAAAAA');
  await expect(page.getByTestId('link-error')).toContainText(/damaged|checksum/i);
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
});

test('a reload keeps the data being edited and the finished runs; old runs reopen and delete', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page);
  const prompts = await shortRun(page);
  await page.getByTestId('paste').fill('cat\t c\ndog\t d\nbird\t b');
  await expect(page.getByTestId('row-count')).toHaveText('3');
  await page.waitForTimeout(800);
  await page.reload();
  await expect(page.getByTestId('paste')).toHaveValue('cat\t c\ndog\t d\nbird\t b');
  await expect(page.getByTestId('row-count')).toHaveText('3');
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await page.getByTestId('history-open').click();
  await expect(page.getByTestId('opened-note')).toContainText('saved run');
  expect(await page.getByTestId('ranked-prompt').allTextContents()).toEqual(prompts);
  await page.getByTestId('history-delete').click();
  await expect(page.getByTestId('history-row')).toHaveCount(0);
});

test('the history says what the app keeps in this browser and whether it is kept for good', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page);
  await shortRun(page);
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('storage-info')).toContainText(/^This app keeps [\d.]+ (B|KB|MB|GB) in this browser \(models [\d.]+ (B|KB|MB), saved runs and data [\d.]+ (B|KB|MB)\), of [\d.]+ (MB|GB|TB) it may use\./);
  await expect(page.getByTestId('storage-advice')).toHaveCount(0);
});

test('two runs from the history compare side by side: the differing setting marked, both explanations, both loss curves', async ({ page }) => {
  test.setTimeout(300_000);
  await ready(page);
  await shortRun(page);
  await page.getByTestId('opt-seed').fill('5');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await page.getByTestId('history-compare').nth(0).check();
  await expect(page.getByTestId('compare')).toHaveCount(0);
  await page.getByTestId('history-compare').nth(1).check();
  const compare = page.getByTestId('compare');
  await expect(compare).toBeVisible();
  // Newest first in the history: A is the seed-5 run, B the first (seed 42, the default).
  await expect(compare.getByTestId('compare-differs')).toHaveCount(1);
  await expect(compare.getByTestId('compare-differs')).toContainText('seed');
  await expect(compare.getByTestId('compare-differs')).toContainText('5');
  await expect(compare.getByTestId('compare-differs')).toContainText('42');
  await expect(compare.getByTestId('compare-explanations')).toHaveCount(2);
  // Both curves drawn: each series has a value per step of its run (the runs stop at different steps, so the counts are each run's own).
  const drawn = (await compare.getByTestId('compare-chart').getAttribute('data-points'))!.split(',').map(Number);
  expect(drawn).toHaveLength(2);
  expect(drawn.every((n) => n > 0)).toBe(true);
  await expect(compare.locator('.u-legend')).toContainText('A');
  await expect(compare.locator('.u-legend')).toContainText('B');
  await compare.screenshot({ path: 'test-results/screenshots/compare-runs.png' });
});
