/**
 * The shipped model knows the task suite: on fresh examples (seeds the corpus never used), each
 * task's own description gives its outputs a lower negative log-likelihood than every other task's
 * description. Pairs whose outputs share a prefix (AMBIGUOUS_PAIRS) only need to be no higher
 * within a small tolerance: there the outputs themselves cannot tell the tasks apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../engine/loadModel.ts';
import { loadNodeModel } from '../engine/node/nodeModel.ts';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';
import { descriptionNllMatrix } from './taskScoring.ts';
import { AMBIGUOUS_PAIRS, TASKS } from './tasks/index.ts';

const AMBIGUITY_TOLERANCE = 0.1; // nats per output token

function ambiguous(a: string, b: string): boolean {
  return AMBIGUOUS_PAIRS.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}

describe.each(['fp32', 'q4'] as const)(`${DEFAULT_MODEL} (%s)`, (dtype) => {
  let model: LoadedModel;
  let nll: number[][];
  beforeAll(async () => {
    model = await loadNodeModel(DEFAULT_MODEL, { dtype });
    // Seeds 1 and 2: the corpus draws its examples from seeds of a million and up.
    nll = await descriptionNllMatrix(model.engine, model.tokenizer, TASKS, 8, 1);
  }, 180_000);
  afterAll(() => model?.dispose());

  it.each(TASKS.map((t, j) => [t.id, j] as const))('%s: its own description explains its data best', (_id, j) => {
    const own = nll[j][j];
    for (let i = 0; i < TASKS.length; i++) {
      if (i === j) continue;
      const other = nll[i][j];
      if (ambiguous(TASKS[i].id, TASKS[j].id)) expect(own, `${TASKS[i].id} describing ${TASKS[j].id}`).toBeLessThanOrEqual(other + AMBIGUITY_TOLERANCE);
      else expect(own, `${TASKS[i].id} describing ${TASKS[j].id}`).toBeLessThan(other);
    }
  });
});
