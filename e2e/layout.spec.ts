/**
 * The run view and the page's reach: during a run everything it shows fits a 1366 x 768 screen;
 * the setup folds into a bar and opens again; dark mode follows the system; a 390 px phone never
 * scrolls sideways; the whole flow works from the keyboard.
 */
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { addTwoPasted, ready } from './steps';

/** Whether the element lies wholly inside the viewport, as the page is (no scrolling). */
async function inViewport(page: Page, testId: string): Promise<boolean> {
  const box = await page.getByTestId(testId).first().boundingBox();
  const size = page.viewportSize()!;
  return !!box && box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height;
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

test('during a run, at 1366 x 768, the best prompt, progress, charts and pool are all on screen; the setup folds into a bar', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await ready(page);
  await page.getByTestId('paste').fill(addTwoPasted());
  await page.getByTestId('run').click();
  await expect(page.getByTestId('charts')).toHaveAttribute('data-steps', /^([3-9]|\d\d)/, { timeout: 120_000 });
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 60_000 });
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  for (const id of ['best-so-far', 'run-progress', 'charts', 'pool', 'setup-summary']) expect(await inViewport(page, id), id).toBe(true);
  await expect(page.getByTestId('best-text')).not.toBeEmpty();
  await expect(page.getByTestId('best-so-far')).toContainText(/leading for \d+ steps?/);
  await expect(page.getByTestId('setup-panels')).toBeHidden();
  await page.screenshot({ path: 'test-results/screenshots/run-view-1366x768.png' });
  // The candidate stream: this step's candidates; a mutation marks what it kept and what it regrew.
  // All of a step's mutations share one cut, and a cut after 0 tokens keeps nothing: then go on a
  // step (or a few) until a step's mutations keep some tokens.
  const keeping = page.locator('[data-testid="stream-row"][data-kind="mutation"]').filter({ has: page.locator('[data-testid="kept"]:not(:empty)') });
  for (let tries = 0; tries < 8 && (await keeping.count()) === 0; tries++) {
    const at = Number(await page.getByTestId('step').textContent());
    await page.getByTestId('resume').click();
    await expect.poll(async () => Number(await page.getByTestId('step').textContent()), { timeout: 60_000 }).toBeGreaterThan(at);
    await page.getByTestId('pause').click();
    await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 60_000 });
  }
  const mutation = keeping.first();
  await expect(mutation.getByTestId('kept')).toBeVisible();
  const kept = (await mutation.getByTestId('kept').textContent())!;
  const regrown = (await mutation.getByTestId('regrown').textContent())!;
  expect(kept.length + regrown.length).toBeGreaterThan(0);
  // The scatter names the candidate under the pointer: sweep the plot from its right edge (the
  // latest steps, drawn after the chart was made) until a point is hit.
  const plot = (await page.getByTestId('candidates-chart').locator('.u-over').boundingBox())!;
  const tip = page.getByTestId('candidates-chart').locator('.chart-tip');
  search: for (let x = plot.x + plot.width - 2; x > plot.x; x -= 8) {
    for (let y = plot.y + 2; y < plot.y + plot.height; y += 8) {
      await page.mouse.move(x, y);
      if (await tip.isVisible()) break search;
    }
  }
  await expect(tip).toContainText(/^".*" · step \d+ · loss \d+\.\d{4}$/);
  expect(Number(/step (\d+)/.exec((await tip.textContent())!)![1])).toBeGreaterThanOrEqual(3);
  // The ancestry of a pool prompt that came from a mutation: its parent chain as a tree.
  const rows = page.getByTestId('pool-row');
  let chain = 0;
  for (let i = 0; i < (await rows.count()) && chain < 2; i++) {
    await rows.nth(i).click();
    chain = await page.locator('[data-testid="lineage-node"][data-on-path="true"]').count();
  }
  expect(chain, 'some pool prompt descends from another').toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('lineage-edge').first()).toContainText(/cut after \d|proposal|initial/);
  // The setup opens again on request, with what was typed still there.
  await page.getByTestId('show-setup').click();
  await expect(page.getByTestId('setup-panels')).toBeVisible();
  await expect(page.getByTestId('row-count')).toHaveText('100');
  await page.getByTestId('show-setup').click();
  await page.getByTestId('resume').click();
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 120_000 });
  // After the run: the full page again, results below.
  await expect(page.getByTestId('setup-summary')).toHaveCount(0);
  await expect(page.getByTestId('setup-panels')).toBeVisible();
  await expect(page.getByTestId('explanation-row').first()).toBeVisible();
});

test('a search step re-renders only what shows the step: the setup panels, results and history stay as they are', async ({ page }) => {
  test.setTimeout(300_000);
  await page.addInitScript(() => ((window as unknown as { __renderCounts: Record<string, number> }).__renderCounts = {}));
  await ready(page);
  await page.getByTestId('paste').fill(addTwoPasted());
  await page.getByTestId('run').click();
  const counts = () => page.evaluate(() => ({ ...(window as unknown as { __renderCounts: Record<string, number> }).__renderCounts }));
  const steps = async () => Number(await page.getByTestId('charts').getAttribute('data-steps'));
  await expect.poll(steps, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const before = await counts();
  const from = await steps();
  await expect.poll(steps, { timeout: 120_000 }).toBeGreaterThanOrEqual(from + 3);
  const after = await counts();
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 120_000 });
  for (const still of ['App', 'DataPanel', 'EnginePanel', 'SettingsPanel', 'SetupSummary', 'ResultsPanel', 'HistoryPanel', 'ResumeBanner']) expect(after[still], `${still} re-rendered during steps`).toBe(before[still]);
  for (const moving of ['RunPanel', 'BestSoFar', 'LiveCharts', 'PoolTable', 'CandidateStream']) expect(after[moving], `${moving} shows each step`).toBeGreaterThan(before[moving]);
});

test('dark mode follows the system setting, and a 390 px screen never scrolls sideways', async ({ page }) => {
  test.setTimeout(240_000);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 390, height: 844 });
  await ready(page);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(bg).toBe('rgb(18, 22, 28)');
  await page.getByTestId('suite').selectOption('double_one');
  await expect(page.getByTestId('row-count')).toHaveText('10');
  expect(await noSidewaysScroll(page)).toBe(true);
  await page.getByTestId('preset-quick').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('charts')).toHaveAttribute('data-steps', /^[1-9]/, { timeout: 60_000 });
  expect(await noSidewaysScroll(page)).toBe(true);
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 180_000 });
  await expect(page.getByTestId('explanation-row').first()).toBeVisible();
  expect(await noSidewaysScroll(page)).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/dark-390.png', fullPage: true });
  await page.getByTestId('charts').screenshot({ path: 'test-results/screenshots/dark-390-charts.png' });
});

/** Presses Tab until the element with this test id has the focus (at most 300 presses). */
async function tabTo(page: Page, testId: string) {
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}

test('keyboard only: choose data, start, pause, resume and stop a run, open an explanation', async ({ page }) => {
  test.setTimeout(300_000);
  await ready(page);
  await tabTo(page, 'suite');
  // A select takes the arrow keys: the first task is add_two.
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('row-count')).toHaveText('100');
  await tabTo(page, 'run');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('step')).not.toHaveText('0', { timeout: 60_000 });
  await tabTo(page, 'pause');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 60_000 });
  await tabTo(page, 'resume');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-status')).not.toHaveText('paused');
  await tabTo(page, 'stop');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 120_000 });
  // The second explanation (or your own): Enter on a row shows its evidence.
  const rows = page.getByTestId('explanation-row');
  const target = (await rows.count()) > 1 ? 1 : 0;
  const text = await page.getByTestId('explanation-text').nth(target).textContent();
  for (let i = 0; i <= target; i++) await tabTo(page, 'explanation-row');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('evidence')).toContainText(JSON.stringify(text));
});

test('a reload in the middle of a run offers to resume it, and the resumed run ends as an uninterrupted one with the same seed', async ({ page }) => {
  test.setTimeout(420_000);
  await ready(page);
  await page.getByTestId('suite').selectOption('double_one');
  await page.getByTestId('preset-quick').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 180_000 });
  await page.locator('summary', { hasText: 'Prompts as found' }).click();
  const uninterrupted = { explanations: await page.getByTestId('explanation-text').allTextContents(), found: await page.getByTestId('ranked-prompt').allTextContents() };

  await page.getByTestId('run').click();
  await expect.poll(async () => Number(await page.getByTestId('step').textContent()), { timeout: 120_000 }).toBeGreaterThanOrEqual(4);
  await page.reload();
  await expect(page.getByTestId('resume-banner')).toContainText(/A run was interrupted at step \d+ of \d+/);
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('resume-run').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 180_000 });
  await page.locator('summary', { hasText: 'Prompts as found' }).click();
  expect({ explanations: await page.getByTestId('explanation-text').allTextContents(), found: await page.getByTestId('ranked-prompt').allTextContents() }).toEqual(uninterrupted);
  // Finished: nothing is offered after the next reload.
  await page.reload();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
});
