/**
 * A valid shared run that carries far more than the app itself makes: `points` progress points
 * and `prompts` ranked prompts, all alike so the link stays short (they deflate to almost
 * nothing); the last point's step differs so a test can see it was kept. For the hostile-link
 * test and bench:ui.
 */
import type { SharedRun } from '../permalink.ts';

export function oversizedRun(points: number, prompts: number): SharedRun {
  return {
    data: { inputs: ['a', 'b'], outputs: [' 1', ' 2'], name: 'tiny' },
    model: { kind: 'shipped', name: 'tiny-tasks-llama' },
    options: { seed: 1 },
    result: {
      prompts: Array.from({ length: prompts }, () => ({ text: ' Add them', loss: 1, accuracy: 0.5, timesScored: 2 })),
      baseline: { loss: 2, accuracy: 0, examples: 1 },
      series: Array.from({ length: points }, (_, i) => ({ step: i === points - 1 ? 2 : 1, bestLoss: 1, meanLoss: 1.5, bestAccuracy: 0.5 })),
      steps: points,
      stoppedBy: 'max_n_steps',
      finishedAt: '2026-01-01T00:00:00.000Z',
      seconds: 1,
    },
  };
}
