/**
 * Links that cannot stall the page: a link longer than any the app makes is refused at once; a
 * valid one that carries far more than the app produces opens trimmed to the caps, with a note,
 * and the charts draw a bounded number of points. Asserted by counts, not by time.
 */
import { test, expect } from './fixtures';
import { packFragment, LINK_LIMITS } from '../src/share/permalink.ts';
import { oversizedRun } from '../src/share/testing/oversizedRun.ts';
import { CHART_LIMITS } from '../src/app/thin.ts';

test('a link that carries far more than the app makes opens trimmed to the caps, with a note, and the charts stay bounded', async ({ page }) => {
  const link = packFragment(oversizedRun(40_000, 10_000))!;
  expect(link.length).toBeLessThan(LINK_LIMITS.characters);
  await page.goto(`/${link}`);
  await expect(page.getByTestId('opened-note')).toContainText('This link holds more than this app makes; it shows the first 500 of its 10,000 prompts and 2,001 of its 40,000 progress points.');
  const charts = page.getByTestId('charts');
  await expect(charts).toHaveAttribute('data-steps', '2001');
  expect(Number(await charts.getAttribute('data-drawn-series'))).toBeLessThanOrEqual(CHART_LIMITS.series);
  // The results table shows its first rows only, and the app still works.
  expect(await page.getByTestId('ranked-row').count()).toBeLessThanOrEqual(15);
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('run')).toBeEnabled();
});

test('a link longer than any the app makes (1.7 MB) is refused before it is unpacked, and the app keeps working', async ({ page }) => {
  await page.goto(`/#run=1.1700000.00000000.${'A'.repeat(1_700_000)}`);
  await expect(page.getByTestId('link-error')).toContainText('characters long, more than any this app makes (at most 32,000), so it was not opened');
  await page.getByTestId('suite').selectOption('add_two');
  await expect(page.getByTestId('row-count')).toHaveText('100');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
});

test('valid links with 500,000 progress points or 200,000 prompts are refused with the reason, and what was there stays', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('suite').selectOption('add_two');
  await expect(page.getByTestId('row-count')).toHaveText('100');
  // 500,000 points pack to about 113,000 characters: refused by length before unpacking.
  const points = packFragment(oversizedRun(500_000, 1))!;
  expect(points.length).toBeGreaterThan(LINK_LIMITS.characters);
  await page.goto(`/${points}`);
  await expect(page.getByTestId('link-error')).toContainText(/This link is [\d,]+ characters long, more than any this app makes/);
  // 200,000 prompts pack within the length cap (about 48,000 characters) but unpack past 4 MB: refused while unpacking.
  const prompts = packFragment(oversizedRun(10, 200_000))!;
  expect(prompts.length).toBeLessThan(LINK_LIMITS.characters);
  await page.goto(`/${prompts}`);
  await expect(page.getByTestId('link-error')).toContainText('This link unpacks to more than 4,194,304 bytes, more than any run this app makes, so it was not opened.');
  // The data loaded before the links is still there, and nothing was opened.
  await expect(page.getByTestId('row-count')).toHaveText('100');
  await expect(page.getByTestId('opened-note')).toHaveCount(0);
});
