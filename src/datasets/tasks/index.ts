/**
 * The task suite: one source of truth for the app, the command line, the recovery benchmark and
 * the corpus generator. Ten math tasks from the paper and twelve word tasks in the style of its
 * instruction-induction suite.
 */
import { MATH_TASKS } from './math.ts';
import type { Task } from './types.ts';
import { WORD_TASKS } from './word.ts';

export type { Example, Task, TaskFamily } from './types.ts';
export { MATH_TASKS } from './math.ts';
export { WORD_TASKS } from './word.ts';
import { getAddTwoNumbersDataset } from './addTwo.ts';
export { getAddTwoNumbersDataset, ADD_TWO_CSV_PAIRS } from './addTwo.ts';
export { stripOutput, prefixShare, isPrefixSharing, PREFIX_SHARE_THRESHOLD, AMBIGUOUS_PAIRS } from './ambiguity.ts';
export type { PrefixShare } from './ambiguity.ts';
export { createRng, mixSeed, mulberry32 } from '../../util/random.ts';

export const TASKS: readonly Task[] = Object.freeze([...MATH_TASKS, ...WORD_TASKS]);

export const TASK_IDS: readonly string[] = Object.freeze(TASKS.map((t) => t.id));

const BY_ID: ReadonlyMap<string, Task> = new Map(TASKS.map((t) => [t.id, t]));

/** The task with this id; throws listing the valid ids otherwise. */
export function getTask(id: string): Task {
  const task = BY_ID.get(id);
  if (!task) throw new Error(`Unknown task '${id}'. Valid ids: ${TASK_IDS.join(', ')}`);
  return task;
}

/**
 * A task's data as input and output lists. add_two with neither `n` nor `seed` is the reference's
 * own dataset (getAddTwoNumbersDataset; `reference` says so); otherwise `n` examples (default: the whole space, at
 * most 100) generated with `seed` (default 1).
 */
export function taskPairs(id: string, opts: { n?: number; seed?: number } = {}): { inputs: string[]; outputs: string[]; reference: boolean } {
  const task = getTask(id);
  if (id === 'add_two' && opts.n === undefined && opts.seed === undefined) return { ...getAddTwoNumbersDataset(), reference: true };
  const ex = task.generate(opts.n ?? Math.min(100, task.all?.().length ?? 100), opts.seed ?? 1);
  return { inputs: ex.map((e) => e.input), outputs: ex.map((e) => e.output), reference: false };
}
