// The lockfile check runs npm's own sync check on throwaway projects: one whose lockfile lacks a
// dependency (the shape that broke CI) and one in sync. Neither touches the network: npm
// compares package.json with the lockfile before it would fetch anything.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLockfile, summarise } from './check-lockfile.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(deps: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockcheck-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', dependencies: deps }));
  const lock = {
    name: 'x',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'x', version: '1.0.0' } },
  };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
  return dir;
}

describe('check-lockfile', () => {
  it('names the missing entry in one line when the lockfile lacks a dependency', () => {
    const r = checkLockfile(project({ 'left-pad': '1.3.0' }));
    if (r.ok) throw new Error('expected the check to fail');
    expect(r.message).toContain('missing left-pad@1.3.0 from lock file');
    expect(r.message).toContain('npm install');
    expect(r.message).not.toContain('\n');
  });

  it('passes a lockfile in sync', () => {
    expect(checkLockfile(project({}))).toEqual({ ok: true });
  });

  it("summarises npm's report of the failure that broke CI, and several entries at once", () => {
    const report = [
      'npm error code EUSAGE',
      'npm error',
      'npm error `npm ci` can only install packages when your package.json and package-lock.json are in sync.',
      'npm error',
      'npm error Missing: napi-windows-process-start-time@0.1.0 from lock file',
      'npm error Missing: a@1.0.0 from lock file',
      'npm error Invalid: lock file\'s b@1.0.0 does not satisfy b@2.0.0',
      'npm error Missing: c@ from lock file',
    ].join('\n');
    expect(summarise(report)).toBe(
      'package-lock.json is out of sync with package.json: missing napi-windows-process-start-time@0.1.0 from lock file; ' +
        "missing a@1.0.0 from lock file; invalid lock file's b@1.0.0 does not satisfy b@2.0.0 (and 1 more). " +
        'Run `npm install` and commit the updated package-lock.json.',
    );
    expect(summarise('npm error code ENOTFOUND')).toBeNull();
  });
});
