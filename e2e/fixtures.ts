import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type ConsoleMessage, type Page } from '@playwright/test';

/**
 * Console text that means the GPU rejected something. The JSEP build of onnxruntime-web can
 * return wrong numbers while only logging such errors (e.g. f16 WGSL on an adapter without
 * shader-f16), so any of these fails the test. Worker console messages arrive here too.
 */
export const GPU_ERROR_PATTERN =
  /WGSL|validation error|GPUValidationError|Invalid (ShaderModule|BindGroup|ComputePipeline)/i;

export const SCREENSHOT_DIR = join('test-results', 'screenshots');

export interface ConsoleEntry {
  type: string;
  text: string;
  /** URL of the page or worker script that logged it, when known. */
  url: string;
}

function entry(msg: ConsoleMessage): ConsoleEntry {
  return { type: msg.type(), text: msg.text(), url: msg.location().url };
}

function safeFileName(title: string): string {
  return title.replace(/[^\w@.\- ]+/g, '_').trim().slice(0, 150) || 'untitled';
}

type Fixtures = {
  /** Every console message (page and workers) seen so far in this test. */
  consoleMessages: ConsoleEntry[];
  /** Uncaught errors in the page seen so far in this test. */
  pageErrors: Error[];
  page: Page;
};

export const test = base.extend<Fixtures>({
  consoleMessages: async ({}, use) => {
    await use([]);
  },
  pageErrors: async ({}, use) => {
    await use([]);
  },
  page: async ({ page, consoleMessages, pageErrors }, use, testInfo) => {
    page.on('console', (msg) => consoleMessages.push(entry(msg)));
    page.on('pageerror', (err) => pageErrors.push(err));

    await use(page);

    if (!page.isClosed()) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${safeFileName(testInfo.title)}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    }

    const log = consoleMessages.map((m) => `[${m.type}] ${m.text}${m.url ? `  (${m.url})` : ''}`);
    if (log.length > 0) {
      await testInfo.attach('console.txt', { body: log.join('\n'), contentType: 'text/plain' });
    }

    const problems = [
      ...consoleMessages
        .filter((m) => GPU_ERROR_PATTERN.test(m.text))
        .map((m) => `WebGPU error in console [${m.type}]: ${m.text}`),
      ...pageErrors.map((e) => `Uncaught page error: ${e.stack ?? e.message}`),
    ];
    if (problems.length > 0) {
      throw new Error(`${problems.length} browser error(s):\n${problems.join('\n')}`);
    }
  },
});

export { expect };
