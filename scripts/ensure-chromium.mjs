#!/usr/bin/env node
// Finds (and on a root Debian/Ubuntu machine, installs) a system Chromium for Playwright.
// `npx playwright install` cannot download browsers here, so Playwright launches the system
// binary through `launchOptions.executablePath` (see playwright.config.ts).
//
// CLI:    node scripts/ensure-chromium.mjs   -> prints the path, installing with apt if needed
// Module: import { findChromium } from './scripts/ensure-chromium.mjs' -> path or null, never installs
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Candidate binaries, best first. `/usr/lib/chromium/chromium` is Debian's real binary; `/usr/bin/chromium` is a wrapper script. */
export const CANDIDATES = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

export const INSTALL_HINT =
  'No Chromium found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH';

function isExecutableFile(p) {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the Chromium executable to use, or null. Honours CHROMIUM_PATH first; if that is set
 * but not an executable file, returns null rather than silently using another browser.
 */
export function findChromium(env = process.env) {
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) return isExecutableFile(fromEnv) ? fromEnv : null;
  return CANDIDATES.find(isExecutableFile) ?? null;
}

function canAptInstall() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && existsSync('/etc/debian_version') && isExecutableFile('/usr/bin/apt-get');
}

function run(cmd, args) {
  console.log(`ensure-chromium: running: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
}

function main() {
  let path = findChromium();
  if (!path && process.env.CHROMIUM_PATH) {
    console.error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file`);
    process.exit(1);
  }
  if (!path && canAptInstall()) {
    console.log('ensure-chromium: no Chromium found; installing Debian package "chromium" with apt-get');
    try {
      run('apt-get', ['update']);
      run('apt-get', ['install', '-y', 'chromium']);
    } catch (e) {
      console.error(`ensure-chromium: ${e.message}`);
    }
    path = findChromium();
  }
  if (!path) {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
  console.log(`ensure-chromium: using ${path}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
