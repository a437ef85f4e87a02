/**
 * npm run bench:ui [-- --preset paper|quick|default] [--links-only] [--json]
 *
 * Main-thread time of the app in headless Chromium (production build, shipped model, WASM), from
 * the browser's own long-task records (PerformanceObserver 'longtask': every task over 50 ms):
 *   - during a run on add_two with the chosen preset (default: the paper preset): the share of the
 *     run's wall time the main thread was blocked, the number of long tasks and the longest;
 *   - opening a valid link that carries 40,000 progress points and 10,000 prompts, and a 1.7 MB
 *     link longer than any the app makes: long tasks, and the time until the app shows the run or
 *     the refusal (from the start of navigation, on the page's clock), and when the document began
 *     (what the browser's navigation with so long a URL costs before any page code can run).
 * A benchmark, not a test: it prints figures; nothing here fails on a slow machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { findChromium } from '../scripts/ensure-chromium.mjs';
import { PROJECT_ROOT } from '../src/engine/node/nodeModel.ts';
import { getAddTwoNumbersDataset } from '../src/datasets/tasks/index.ts';
import { packFragment } from '../src/share/permalink.ts';
import { oversizedRun } from '../src/share/testing/oversizedRun.ts';

const args = process.argv.slice(2);
const preset = args.includes('--preset') ? args[args.indexOf('--preset') + 1] : 'paper';
const json = args.includes('--json');
const linksOnly = args.includes('--links-only');

interface Blocked {
  wallMs: number;
  longTasks: number;
  blockedMs: number;
  longestMs: number;
  blockedShare: number;
}

/** Long tasks recorded by the page since `since` (performance.now() of the page), as figures over `wallMs`. */
async function blockedSince(page: Page, since: number, wallMs: number): Promise<Blocked> {
  const tasks = await page.evaluate((t0) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= t0), since);
  const blockedMs = tasks.reduce((s, t) => s + t.duration, 0);
  return { wallMs, longTasks: tasks.length, blockedMs, longestMs: Math.max(0, ...tasks.map((t) => t.duration)), blockedShare: wallMs > 0 ? blockedMs / wallMs : 0 };
}

async function main() {
  const exe = findChromium();
  if (!exe) throw new Error('No Chromium found: run `node scripts/ensure-chromium.mjs` first');
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'index.html')) || !args.includes('--no-build')) {
    const b = spawnSync('npx', ['vite', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  const port = 4300 + Math.floor(Math.random() * 500);
  const preview = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1', '--bypass-lock'], { cwd: PROJECT_ROOT, stdio: 'ignore', detached: true });
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(base)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const fresh = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      await ctx.addInitScript(() => {
        const w = window as unknown as { __longTasks: { start: number; duration: number }[]; __documentAt: number; __shown: Record<string, number> };
        w.__longTasks = [];
        // When the document began (a URL of megabytes costs the browser's navigation before any page code runs),
        // and when each marker first appeared, from the page's own clock (a harness's polling adds its latency).
        w.__documentAt = performance.now();
        w.__shown = {};
        new MutationObserver(() => {
          for (const id of ['opened-note', 'link-error']) if (!(id in w.__shown) && document.querySelector(`[data-testid="${id}"]`)) w.__shown[id] = performance.now();
        }).observe(document, { childList: true, subtree: true });
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: 'longtask', buffered: true });
      });
      return { ctx, page: await ctx.newPage() };
    };

    // 1. A run.
    const run = linksOnly ? null : await (async () => {
    const { ctx, page } = await fresh();
    await page.goto(base);
    await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
    const d = getAddTwoNumbersDataset();
    await page.getByTestId('paste').fill(d.inputs.map((inp, i) => `${inp}\t${d.outputs[i].trimEnd()}`).join('\n'));
    await page.getByTestId(`preset-${preset}`).check();
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId('run').click();
    await page.getByTestId('run-status').filter({ hasText: /^done$/ }).waitFor({ timeout: 1_800_000 });
    const t1 = await page.evaluate(() => performance.now());
    const steps = Number(await page.getByTestId('charts').getAttribute('data-steps'));
    const figures = { preset, steps, ...(await blockedSince(page, t0, t1 - t0)) };
    await ctx.close();
    return figures;
    })();

    // 2. The two hostile links, each in a fresh page, timed from the start of navigation.
    const links: Record<string, Blocked & { usableMs: number; documentMs: number }> = {};
    for (const [name, fragment, ready] of [
      ['40,000 points and 10,000 prompts (valid)', packFragment(oversizedRun(40_000, 10_000))!, 'opened-note'],
      ['1.7 MB, longer than any the app makes', `#run=1.1700000.00000000.${'A'.repeat(1_700_000)}`, 'link-error'],
    ] as const) {
      const { ctx: c, page: p } = await fresh();
      await p.goto(`${base}/${fragment}`);
      await p.getByTestId(ready).waitFor({ timeout: 120_000 });
      const { usableMs, documentMs } = await p.evaluate((id) => {
        const w = window as unknown as { __documentAt: number; __shown: Record<string, number> };
        return { usableMs: w.__shown[id], documentMs: w.__documentAt };
      }, ready);
      links[name] = { usableMs, documentMs, ...(await blockedSince(p, 0, usableMs)) };
      await c.close();
    }
    const report = { browser: browser.version(), run, links };
    if (json) process.stdout.write(JSON.stringify(report) + '\n');
    else {
      const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;
      const lines = [
        `Main thread in headless Chromium ${report.browser} (production build, shipped model on WASM, 1366 x 768; long tasks are those over 50 ms):`,
        ...(run ? [`- ${preset} preset on add_two, ${run.steps} steps, ${ms(run.wallMs)}: blocked ${(100 * run.blockedShare).toFixed(1)}% (${ms(run.blockedMs)} in ${run.longTasks} long tasks), longest ${ms(run.longestMs)}`] : []),
        ...Object.entries(links).map(([name, l]) => `- a link with ${name}: usable after ${ms(l.usableMs)} from navigation (the document began at ${ms(l.documentMs)}: the browser's part); ${l.longTasks} long tasks, ${ms(l.blockedMs)} blocked, longest ${ms(l.longestMs)}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
  } finally {
    await browser.close();
    try {
      process.kill(-preview.pid!);
    } catch {
      /* already gone */
    }
  }
}

await main();
