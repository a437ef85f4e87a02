/**
 * Pairs of tasks whose outputs, for the same input, often begin the same way. For such a pair a
 * language model cannot tell the descriptions apart by the output's likelihood alone: under the
 * search's scoring (output stripped of its final period), divide's description predicts first's
 * ' 3' for 'Given the input numbers 3 and 5' as well as first's own description does, because
 * divide's answer ' 3/5' begins with it. Checks that expect "own description scores best" should
 * expect "no worse" for these pairs instead.
 */
import { stripOutputString as stripOutput } from '../../iprompt/data.ts';
import type { Example, Task } from './types.ts';

/** The reference's output clean-up before scoring, the search's own: `s.rstrip().rstrip('.')` (' 8.\n\n' -> ' 8'). */
export { stripOutput };

/** A pair is ambiguous when one task's stripped output is a prefix of the other's on at least this share of their common inputs. */
export const PREFIX_SHARE_THRESHOLD = 0.5;

export interface PrefixShare {
  /** Inputs present in both example sets. */
  sharedInputs: number;
  /** Share of them where a's stripped output is a prefix of (or equal to) b's. */
  aPrefixOfB: number;
  /** Share of them where b's stripped output is a prefix of (or equal to) a's. */
  bPrefixOfA: number;
}

/** How often, on inputs they share, one task's (stripped) output begins the other's. */
export function prefixShare(a: readonly Example[], b: readonly Example[]): PrefixShare {
  const outB = new Map<string, string>();
  for (const e of b) outB.set(e.input, stripOutput(e.output));
  const seen = new Set<string>();
  let shared = 0;
  let ab = 0;
  let ba = 0;
  for (const e of a) {
    const yb = outB.get(e.input);
    if (yb === undefined || seen.has(e.input)) continue;
    seen.add(e.input);
    shared++;
    const ya = stripOutput(e.output);
    if (yb.startsWith(ya)) ab++;
    if (ya.startsWith(yb)) ba++;
  }
  return {
    sharedInputs: shared,
    aPrefixOfB: shared ? ab / shared : 0,
    bPrefixOfA: shared ? ba / shared : 0,
  };
}

/** Whether two tasks count as ambiguous, judged on their whole example spaces. */
export function isPrefixSharing(a: Task, b: Task, threshold = PREFIX_SHARE_THRESHOLD): boolean {
  if (!a.all || !b.all) throw new Error(`prefix sharing needs the whole spaces of ${a.id} and ${b.id}`);
  const s = prefixShare(a.all(), b.all());
  return s.sharedInputs > 0 && Math.max(s.aPrefixOfB, s.bPrefixOfA) >= threshold;
}

/**
 * [taskA, taskB, why]: on their common inputs, A's stripped output is a prefix of (or equal to)
 * B's on at least half of them (PREFIX_SHARE_THRESHOLD). Verified, and checked to be complete,
 * by `ambiguity.test.ts`. Every other pair of tasks shares a prefix on at most 20% of inputs.
 */
export const AMBIGUOUS_PAIRS: readonly (readonly [string, string, string])[] = Object.freeze([
  ['first_two', 'divide_two', "always: first's ' 3' begins divide's ' 3/5' (100 of 100 inputs)"],
  ['first_two', 'max_two', 'the same answer whenever a >= b (55 of 100 inputs)'],
  ['max_two', 'divide_two', "max's ' a' begins divide's ' a/b' whenever a >= b (55 of 100 inputs)"],
  ['first_letter', 'plural', "always: first_letter's ' c' begins plural's ' cats', irregular plurals included"],
  ['last_letter', 'reverse', "always: last_letter's ' t' begins reverse's ' tac'"],
] as const);
