#!/usr/bin/env node
// Fails fast, in one line, when package-lock.json is out of sync with package.json.
//
// `npm ci` refuses an out-of-sync lockfile, and so does CI, before any test runs. The lockfile
// can drift without anyone touching it: a dependency gains an optional dependency the registry
// starts serving (vite 8's Windows-only napi-windows-process-start-time did), and the next
// `npm install` rewrites the lockfile. `npm ci --dry-run` runs npm's own sync check without
// touching node_modules, so this script asks npm rather than re-implementing its rules.
//
// CLI:    node scripts/check-lockfile.mjs [dir]   -> exit 0 when in sync, 1 with one line otherwise
// Module: import { checkLockfile, summarise } from './scripts/check-lockfile.mjs'
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Turns npm's multi-line EUSAGE report into one line naming what is missing or invalid.
 * Returns null when the output does not look like a sync failure.
 */
export function summarise(npmOutput) {
  const problems = [];
  for (const line of npmOutput.split('\n')) {
    const m = /^npm error (Missing|Invalid): (.+)$/.exec(line.trim());
    if (m) problems.push(`${m[1].toLowerCase()} ${m[2].trim()}`);
  }
  if (problems.length === 0) {
    if (!/in sync/.test(npmOutput)) return null;
    problems.push('npm did not say which entry');
  }
  const shown = problems.slice(0, 3).join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return (
    `package-lock.json is out of sync with package.json: ${shown}${more}. ` +
    'Run `npm install` and commit the updated package-lock.json.'
  );
}

/** Runs npm's sync check in `dir`. Returns { ok: true } or { ok: false, message }. */
export function checkLockfile(dir = process.cwd()) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(
    npm,
    ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, encoding: 'utf8' },
  );
  if (r.error) return { ok: false, message: `could not run npm to check the lockfile: ${r.error.message}` };
  if (r.status === 0) return { ok: true };
  const output = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const summary = summarise(output);
  if (summary) return { ok: false, message: summary };
  const firstError = output.split('\n').find((l) => l.startsWith('npm error')) ?? `exit ${r.status}`;
  return { ok: false, message: `npm ci --dry-run failed: ${firstError.replace(/^npm error\s*/, '')}` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = checkLockfile(resolve(process.argv[2] ?? '.'));
  if (!result.ok) {
    console.error(`check-lockfile: ${result.message}`);
    process.exit(1);
  }
}
