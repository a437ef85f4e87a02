/** Steps the app's browser tests share: open the app once its model is ready, paste the reference data, reopen a run's permalink elsewhere. */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect } from './fixtures';
import { getAddTwoNumbersDataset } from '../src/datasets/tasks/index.ts';

/** Opens `url` and waits until the shipped model is loaded. */
export async function ready(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
}

/** The reference add_two pairs (100) as a person pastes them: input, a tab, the output. */
export function addTwoPasted(): string {
  const d = getAddTwoNumbersDataset();
  return d.inputs.map((inp, i) => `${inp}\t${d.outputs[i].trimEnd()}`).join('\n');
}

/** Shares the finished run shown on `page` and opens its link in a fresh browser context (no storage shared). */
export async function openShareLinkElsewhere(page: Page, browser: Browser): Promise<{ url: string; other: Page; context: BrowserContext }> {
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-url').inputValue();
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('opened-note')).toContainText('shared link');
  return { url, other, context };
}
