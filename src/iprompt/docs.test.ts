import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, DEVIATIONS, OPTION_DOCS, PRESETS } from './index.ts';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/iprompt.md'), 'utf8');

describe('docs/iprompt.md matches the code', () => {
  it('lists every option with its current default', () => {
    for (const k of Object.keys(OPTION_DOCS)) {
      const key = k as keyof typeof OPTION_DOCS;
      expect(doc, k).toContain(`| \`${k}\` | \`${JSON.stringify(DEFAULT_OPTIONS[key])}\` | ${OPTION_DOCS[key]} |`);
    }
  });
  it('documents every option and lists every deviation row the docs have', () => {
    expect(Object.keys(OPTION_DOCS)).toEqual(Object.keys(DEFAULT_OPTIONS));
    const section = doc.slice(doc.indexOf('## Deviations from imodelsx'));
    const rows = section.slice(0, section.indexOf('\n## ', 3)).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| what |'));
    expect(DEVIATIONS).toHaveLength(rows.length);
  });
  it('lists every deviation', () => {
    for (const d of DEVIATIONS) expect(doc, d.option).toContain(`| ${d.option} | ${d.reference.replace(/\|/g, '\\|')} | ${d.ours.replace(/\|/g, '\\|')} | ${d.why.replace(/\|/g, '\\|')} |`);
  });
  it('lists every preset with its options and description', () => {
    for (const p of Object.values(PRESETS)) expect(doc, p.label).toContain(`| ${p.label} | \`${JSON.stringify(p.options)}\` | ${p.description} |`);
  });
});
