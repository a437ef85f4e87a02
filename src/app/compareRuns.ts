/** Two finished runs side by side: which settings differ, and their loss curves on one axis. */
import { DEFAULT_OPTIONS, type IPromptOptions } from '../iprompt/index.ts';
import type { SharedRun } from '../share/permalink.ts';
import { modelLabel } from './runRecord.ts';

export interface SettingRow {
  name: string;
  a: string;
  b: string;
  differs: boolean;
}

const show = (v: unknown) => (v === undefined ? '–' : JSON.stringify(v));

/** Every setting of either run (model, weights, backend, data, then each option with defaults filled in), marking those that differ. */
export function settingRows(a: SharedRun, b: SharedRun): SettingRow[] {
  const data = (r: SharedRun) => ('inputs' in r.data ? `${r.data.name ?? 'data'} (${r.data.inputs.length} rows)` : `${r.data.name ?? 'data'} (${r.data.count} rows, fingerprint ${r.data.sha256.slice(0, 8)})`);
  const rows: SettingRow[] = [
    { name: 'model', a: modelLabel(a.model), b: modelLabel(b.model), differs: false },
    { name: 'weights', a: a.dtype ?? '–', b: b.dtype ?? '–', differs: false },
    { name: 'backend', a: a.backend ?? '–', b: b.backend ?? '–', differs: false },
    { name: 'data', a: data(a), b: data(b), differs: false },
  ];
  const names = new Set([...Object.keys(DEFAULT_OPTIONS), ...Object.keys(a.options), ...Object.keys(b.options)]);
  for (const name of names) {
    const pick = (r: SharedRun) => (r.options as Record<string, unknown>)[name] ?? (DEFAULT_OPTIONS as Record<string, unknown>)[name as keyof IPromptOptions];
    rows.push({ name, a: show(pick(a)), b: show(pick(b)), differs: false });
  }
  return rows.map((r) => ({ ...r, differs: r.a !== r.b }));
}

/** One row per step of either run: each run's best loss at that step (absent where the run had none). */
export function lossCurves(a: SharedRun, b: SharedRun): { step: number; a?: number; b?: number }[] {
  const byStep = new Map<number, { step: number; a?: number; b?: number }>();
  for (const [key, run] of [['a', a], ['b', b]] as const) {
    for (const p of run.result?.series ?? []) {
      const row = byStep.get(p.step) ?? { step: p.step };
      row[key] = p.bestLoss;
      byStep.set(p.step, row);
    }
  }
  return [...byStep.values()].sort((x, y) => x.step - y.step);
}
