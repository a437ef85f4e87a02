import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './node/nodeModel.ts';

describe('dependencies', () => {
  it('install exactly one onnxruntime-web (nothing pulls in a second copy, as transformers.js would)', () => {
    const lock = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const copies = Object.keys(lock.packages).filter((p) => p.endsWith('node_modules/onnxruntime-web'));
    expect(copies).toEqual(['node_modules/onnxruntime-web']);
    expect(Object.keys(lock.packages).some((p) => /transformers$/.test(p))).toBe(false);
  });
});
