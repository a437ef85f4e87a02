import { describe, expect, it } from 'vitest';
import type { SharedRun } from '../share/permalink.ts';
import { lossCurves, settingRows } from './compareRuns.ts';

const run = (options: SharedRun['options'], series: [number, number][]): SharedRun => ({
  data: { inputs: ['a', 'b'], outputs: [' 1', ' 2'], name: 'd' },
  model: { kind: 'shipped', name: 'tiny' },
  dtype: 'q4',
  options,
  result: { prompts: [], baseline: null, series: series.map(([step, bestLoss]) => ({ step, bestLoss, meanLoss: 1, bestAccuracy: 0 })), steps: series.length, stoppedBy: 'n_epochs', finishedAt: '2026-01-01T00:00:00Z', seconds: 1 },
});

describe('comparing two runs', () => {
  it('marks exactly the settings that differ, with defaults filled in for options a run left out', () => {
    const rows = settingRows(run({ seed: 1, batch_size: 64 }, []), run({ seed: 2 }, []));
    const differing = rows.filter((r) => r.differs).map((r) => [r.name, r.a, r.b]);
    // batch_size 64 is the default, so it does not differ; the seed does.
    expect(differing).toEqual([['seed', '1', '2']]);
    expect(rows.find((r) => r.name === 'model')).toEqual({ name: 'model', a: 'tiny', b: 'tiny', differs: false });
    expect(rows.find((r) => r.name === 'num_learned_tokens')).toEqual({ name: 'num_learned_tokens', a: '6', b: '6', differs: false });
  });

  it('puts both loss curves on one step axis, each run where it has points', () => {
    expect(lossCurves(run({}, [[1, 2], [2, 1.5]]), run({}, [[1, 3], [3, 0.5]]))).toEqual([
      { step: 1, a: 2, b: 3 },
      { step: 2, a: 1.5 },
      { step: 3, b: 0.5 },
    ]);
  });
});
