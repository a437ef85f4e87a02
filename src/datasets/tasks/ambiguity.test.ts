import { describe, expect, it } from 'vitest';
import { AMBIGUOUS_PAIRS, PREFIX_SHARE_THRESHOLD, TASKS, TASK_IDS, getTask, prefixShare, stripOutput } from './index.ts';
import type { Example, Task } from './types.ts';

const key = (a: string, b: string): string => [a, b].sort().join(' | ');

/** Generated examples covering each space three times over (generate reshuffles per pass). */
function generated(task: Task, seed: number): Example[] {
  return task.generate(3 * task.all!().length, seed);
}

function sharingPairs(examplesOf: (t: Task) => Example[]): Map<string, number> {
  const found = new Map<string, number>();
  const cache = new Map(TASKS.map((t) => [t.id, examplesOf(t)]));
  for (let i = 0; i < TASKS.length; i++) {
    for (let j = i + 1; j < TASKS.length; j++) {
      const s = prefixShare(cache.get(TASKS[i].id)!, cache.get(TASKS[j].id)!);
      const rate = Math.max(s.aPrefixOfB, s.bPrefixOfA);
      if (s.sharedInputs > 0 && rate >= PREFIX_SHARE_THRESHOLD) found.set(key(TASKS[i].id, TASKS[j].id), rate);
    }
  }
  return found;
}

describe('stripOutput (the reference\'s rstrip().rstrip(".") before scoring)', () => {
  it('drops trailing whitespace, then trailing periods', () => {
    expect(stripOutput(' 8.\n\n')).toBe(' 8');
    expect(stripOutput(' 2.72.\n\n')).toBe(' 2.72');
    expect(stripOutput(' 3/5.\n\n')).toBe(' 3/5');
    expect(stripOutput(' c\n\n')).toBe(' c');
    expect(stripOutput(' x..\n')).toBe(' x');
  });
});

describe('AMBIGUOUS_PAIRS', () => {
  it('names real, distinct tasks, each pair once, with a reason', () => {
    const seen = new Set<string>();
    for (const [a, b, why] of AMBIGUOUS_PAIRS) {
      expect(TASK_IDS).toContain(a);
      expect(TASK_IDS).toContain(b);
      expect(a).not.toBe(b);
      expect(why.length).toBeGreaterThan(10);
      expect(seen.has(key(a, b))).toBe(false);
      seen.add(key(a, b));
    }
  });

  it("each listed pair really shares prefixes: A's output begins B's on the same inputs", () => {
    for (const [a, b] of AMBIGUOUS_PAIRS) {
      const s = prefixShare(generated(getTask(a), 1), generated(getTask(b), 2));
      expect(s.sharedInputs, `${a}/${b}`).toBeGreaterThan(0);
      expect(s.aPrefixOfB, `${a} begins ${b}`).toBeGreaterThanOrEqual(PREFIX_SHARE_THRESHOLD);
    }
    // The motivating example, spelled out.
    const first = getTask('first_two').all!().find((e) => e.input.includes(' 3 and 5,'))!;
    const divide = getTask('divide_two').all!().find((e) => e.input === first.input)!;
    expect(stripOutput(first.output)).toBe(' 3');
    expect(stripOutput(divide.output)).toBe(' 3/5');
  });

  it('lists every prefix-sharing pair found by scanning generated examples of all tasks', () => {
    const listed = new Set(AMBIGUOUS_PAIRS.map(([a, b]) => key(a, b)));
    for (const seed of [11, 12]) {
      const found = sharingPairs((t) => generated(t, seed + t.id.length));
      expect([...found.keys()].sort()).toEqual([...listed].sort());
    }
    // Same answer over the exact spaces.
    expect([...sharingPairs((t) => t.all!()).keys()].sort()).toEqual([...listed].sort());
  });

  it('leaves a clear gap: unlisted pairs share a prefix on at most 30% of inputs', () => {
    const listed = new Set(AMBIGUOUS_PAIRS.map(([a, b]) => key(a, b)));
    const all = new Map(TASKS.map((t) => [t.id, t.all!()]));
    for (let i = 0; i < TASKS.length; i++) {
      for (let j = i + 1; j < TASKS.length; j++) {
        const [a, b] = [TASKS[i].id, TASKS[j].id];
        if (listed.has(key(a, b))) continue;
        const s = prefixShare(all.get(a)!, all.get(b)!);
        expect(Math.max(s.aPrefixOfB, s.bPrefixOfA), `${a}/${b}`).toBeLessThanOrEqual(0.3);
      }
    }
  });

  it('prefixShare joins on the input and measures both directions', () => {
    const a = [{ input: 'x', output: ' 3.\n\n' }, { input: 'y', output: ' 4.\n\n' }, { input: 'z', output: ' 1.\n\n' }];
    const b = [{ input: 'x', output: ' 3/5.\n\n' }, { input: 'y', output: ' 9/1.\n\n' }];
    expect(prefixShare(a, b)).toEqual({ sharedInputs: 2, aPrefixOfB: 0.5, bPrefixOfA: 0 });
    expect(prefixShare(a, [])).toEqual({ sharedInputs: 0, aPrefixOfB: 0, bPrefixOfA: 0 });
  });
});
