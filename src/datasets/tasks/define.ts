import { createRng } from '../../util/random.ts';
import type { Example, Task, TaskFamily } from './types.ts';

export interface TaskSpec {
  id: string;
  family: TaskFamily;
  title: string;
  descriptions: readonly string[];
  pattern: string;
  inputFormat: RegExp;
  outputFormat: RegExp;
  /** The whole example space in a fixed order; called once, lazily. */
  space: () => Example[];
  reference?: string;
}

/** Builds a Task from its data; every task shares the same sampling and judging code. */
export function defineTask(spec: TaskSpec): Task {
  if (spec.descriptions.length < 4) {
    throw new Error(`task ${spec.id}: needs at least 4 descriptions, has ${spec.descriptions.length}`);
  }
  const keywords = new RegExp(spec.pattern, 'i');
  let cached: readonly Example[] | undefined;
  const space = (): readonly Example[] => (cached ??= Object.freeze(spec.space()));
  const copy = (e: Example): Example => ({ input: e.input, output: e.output });

  return Object.freeze({
    id: spec.id,
    family: spec.family,
    title: spec.title,
    descriptions: Object.freeze([...spec.descriptions]),
    pattern: spec.pattern,
    keywords,
    isCorrect: (prompt: string) => keywords.test(prompt),
    inputFormat: spec.inputFormat,
    outputFormat: spec.outputFormat,
    all: () => space().map(copy),
    generate(n: number, seed: number): Example[] {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
      const rng = createRng(seed, 'task', spec.id);
      const pool = space();
      if (pool.length === 0 && n > 0) throw new Error(`task ${spec.id} has no examples`);
      const out: Example[] = [];
      // Whole shuffled passes: distinct examples while n <= |space|, even coverage beyond.
      while (out.length < n) {
        for (const e of rng.shuffle(pool)) {
          if (out.length === n) break;
          out.push(copy(e));
        }
      }
      return out;
    },
    ...(spec.reference !== undefined ? { reference: spec.reference } : {}),
  });
}
