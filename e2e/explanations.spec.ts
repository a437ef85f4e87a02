/**
 * Explanations a person can read and trust, in Chromium on the shipped model: the cleaned
 * explanation first with its interval, per-example evidence with working filters, a typed
 * description scored beside the found ones, all of it kept by the permalink and the history;
 * and a plain "nothing explains this" for data the model knows nothing about.
 */
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { getTask } from '../src/datasets/tasks/index.ts';
import { addTwoPasted, openShareLinkElsewhere, ready } from './steps';
import { trimDangling } from '../src/iprompt/clean.ts';

async function quickRun(page: Page, pairs: string) {
  await page.getByTestId('paste').fill(pairs);
  await page.getByTestId('preset-quick').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 240_000 });
}

/** What a person reads in the results: the explanations, their marks, your own rows. */
async function readResults(page: Page) {
  return {
    texts: await page.getByTestId('explanation-text').allTextContents(),
    accuracy: await page.getByTestId('explanation-accuracy').allTextContents(),
    own: await page.getByTestId('own-text').allTextContents(),
    verdict: await page.getByTestId('verdict').textContent(),
  };
}

test('a finished run leads with the cleaned explanation and its interval, shows per-example evidence with filters, scores a typed description, and keeps it all in the link and the history', async ({ page, browser }) => {
  test.setTimeout(420_000);
  await ready(page);
  await quickRun(page, addTwoPasted());

  const first = page.getByTestId('explanation-row').first();
  const top = (await page.getByTestId('explanation-text').first().textContent())!;
  expect(getTask('add_two').isCorrect(top), top).toBe(true);
  expect(top, 'no dangling token').toBe(trimDangling(top));
  await expect(first.getByTestId('tied')).toHaveText('≈ best');
  await expect(first.getByTestId('explanation-accuracy')).toHaveText(/^\d\.\d{3} \[\d\.\d{3}–\d\.\d{3}\]$/);
  await expect(page.getByTestId('verdict')).toContainText('explains the data better than no prompt');
  await expect(page.getByTestId('baseline-row')).toContainText('held-out examples');

  // Evidence for the top explanation: every held-out example, then the filters.
  const held = Number(/\((\d+) held-out/.exec((await page.getByTestId('baseline-row').textContent())!)![1]);
  const rows = page.getByTestId('evidence-row');
  await expect(rows).toHaveCount(held);
  const all = await Promise.all((await rows.all()).map(async (r) => ({ with: (await r.getByTestId('evidence-with').textContent())!, without: (await r.getByTestId('evidence-without').textContent())! })));
  const fixed = all.filter((r) => r.with.startsWith('✓') && r.without.startsWith('✗')).length;
  const wrong = all.filter((r) => r.with.startsWith('✗')).length;
  expect(fixed, 'the built-in model gets some add_two examples right only with the explanation').toBeGreaterThan(0);
  await page.getByTestId('evidence-filter-fixed').check();
  await expect(rows).toHaveCount(fixed);
  for (const r of await rows.all()) {
    await expect(r.getByTestId('evidence-with')).toHaveText(/^✓/);
    await expect(r.getByTestId('evidence-without')).toHaveText(/^✗/);
  }
  await page.getByTestId('evidence-filter-wrong').check();
  await expect(rows).toHaveCount(wrong);
  await page.getByTestId('evidence-filter-all').check();
  await expect(rows).toHaveCount(held);

  // Your own description, scored on the same examples.
  await page.getByTestId('score-own-input').fill(' Reverse the word');
  await page.getByTestId('score-own-run').click();
  const own = page.getByTestId('own-row');
  await expect(own).toHaveCount(1, { timeout: 60_000 });
  await expect(own.getByTestId('own-text')).toHaveText(' Reverse the word');
  await expect(own.getByTestId('explanation-loss')).toHaveText(/^\d+\.\d{4} \[/);
  await expect(own.getByTestId('tied')).toHaveCount(0);
  await own.click();
  await expect(page.getByTestId('evidence')).toContainText('Reverse the word');
  const shown = await readResults(page);
  await page.getByTestId('results').screenshot({ path: 'test-results/screenshots/explanations.png' });

  // The permalink, opened in a fresh browser.
  const { other, context } = await openShareLinkElsewhere(page, browser);
  await expect(other.getByTestId('explanation-row').first()).toBeVisible();
  expect(await readResults(other)).toEqual(shown);
  await expect(other.getByTestId('evidence-row')).toHaveCount(held);
  await context.close();

  // The history, after a reload.
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await page.getByTestId('history-open').click();
  await expect(page.getByTestId('opened-note')).toContainText('saved run');
  expect(await readResults(page)).toEqual(shown);
});

test('data the built-in model knows nothing about (countries and capitals) gets a plain "nothing explains this"', async ({ page }) => {
  test.setTimeout(300_000);
  await ready(page);
  const pairs = [['France', 'Paris'], ['Germany', 'Berlin'], ['Italy', 'Rome'], ['Spain', 'Madrid'], ['Japan', 'Tokyo'], ['Egypt', 'Cairo'], ['Peru', 'Lima'], ['Canada', 'Ottawa'], ['Kenya', 'Nairobi'], ['Norway', 'Oslo'], ['Cuba', 'Havana'], ['India', 'New Delhi']];
  await quickRun(page, pairs.map((p) => p.join('\t')).join('\n'));
  await expect(page.getByTestId('verdict')).toHaveText(/^Nothing here explains the data: no explanation beats no prompt at all/);
  await expect(page.getByTestId('verdict')).toContainText('try a larger model');
});
