import { defineConfig } from '@playwright/test';
import { findChromium, INSTALL_HINT } from './scripts/ensure-chromium.mjs';

// Playwright cannot download its own browsers here: use the system Chromium
// (`npm run test:e2e` runs scripts/ensure-chromium.mjs first, which installs it if it can).
const executablePath = findChromium();
if (!executablePath) throw new Error(INSTALL_HINT);

const PORT = 4173;
const baseURL = `http://127.0.0.1:${PORT}`;

// Without the background-networking flags Chromium keeps trying to reach Google hosts.
const baseArgs = [
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-sandbox', // CI runs as root
];

// Two projects select tests by the `@webgpu` tag (in the title or `{ tag: '@webgpu' }`):
//  - wasm:   everything NOT tagged @webgpu; WebGPU is off, so requestAdapter() is null and the
//            app must take its WASM path.
//  - webgpu: only tests tagged @webgpu; runs with --enable-unsafe-webgpu, which gives a
//            SwiftShader (software, no shader-f16) adapter. Correctness only, never speed.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  workers: 1,
  retries: 0,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 60_000,
  // Builds the tiny test models that the local hub server in the tests serves.
  globalSetup: './e2e/globalSetup.ts',
  use: {
    baseURL,
    headless: true,
    trace: 'off',
  },
  projects: [
    {
      name: 'wasm',
      grepInvert: /@webgpu/,
      use: { launchOptions: { executablePath, args: baseArgs } },
    },
    {
      name: 'webgpu',
      grep: /@webgpu/,
      use: { launchOptions: { executablePath, args: [...baseArgs, '--enable-unsafe-webgpu'] } },
    },
  ],
  webServer: {
    // Production build + preview (COOP/COEP headers from vite.config.ts). A cold dev server
    // reloads the page once after optimising deps, which breaks whichever test is running.
    command: 'npm run preview:test',
    url: baseURL,
    // Never reuse: a server left running would serve an old build.
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
