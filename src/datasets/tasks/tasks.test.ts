import { describe, expect, it } from 'vitest';
import { MATH_TASKS, TASKS, TASK_IDS, WORD_TASKS, getTask } from './index.ts';
import type { Example, Task } from './types.ts';

const PAPER_MATH_IDS = [
  'add_two',
  'multiply_two',
  'subtract_two',
  'max_two',
  'first_two',
  'square_one',
  'double_one',
  'exp_one',
  'fibonacci_one',
  'divide_two',
];

describe('registry', () => {
  it('holds the paper\'s ten math tasks and at least ten word tasks, ids unique', () => {
    expect(MATH_TASKS.map((t) => t.id)).toEqual(PAPER_MATH_IDS);
    expect(WORD_TASKS.length).toBeGreaterThanOrEqual(10);
    expect(new Set(TASK_IDS).size).toBe(TASKS.length);
    for (const t of MATH_TASKS) expect(t.family).toBe('math');
    for (const t of WORD_TASKS) expect(t.family).toBe('word');
  });

  it('getTask finds every task and names the valid ids otherwise', () => {
    for (const t of TASKS) expect(getTask(t.id)).toBe(t);
    expect(() => getTask('nope')).toThrow(/Unknown task 'nope'.*add_two.*first_letter/);
  });

  it('every task has a title, 4+ distinct descriptions and a whole space', () => {
    for (const t of TASKS) {
      expect(t.title.length).toBeGreaterThan(0);
      expect(t.descriptions.length).toBeGreaterThanOrEqual(4);
      expect(new Set(t.descriptions).size).toBe(t.descriptions.length);
      expect(t.all).toBeDefined();
      expect(t.all!().length).toBeGreaterThan(0);
    }
  });
});

// ---- independent answers, computed from the input text alone ----

const TWO = /^Given the input numbers (\d) and (\d), the answer is$/;
const ONE = /^Given the input x is (\d), the output f\(x\) is$/;
const WORD = /^Input: ([a-z]+) Answer:$/;

const two = (input: string): [number, number] => {
  const m = TWO.exec(input);
  if (!m) throw new Error(`not a two-number input: ${JSON.stringify(input)}`);
  return [Number(m[1]), Number(m[2])];
};
const one = (input: string): number => {
  const m = ONE.exec(input);
  if (!m) throw new Error(`not a one-number input: ${JSON.stringify(input)}`);
  return Number(m[1]);
};
const word = (input: string): string => {
  const m = WORD.exec(input);
  if (!m) throw new Error(`not a word input: ${JSON.stringify(input)}`);
  return m[1];
};

// Python: [round(math.exp(x), 2) for x in range(10)], printed with repr.
const EXP_TABLE = ['1.0', '2.72', '7.39', '20.09', '54.6', '148.41', '403.43', '1096.63', '2980.96', '8103.08'];
const FIB_TABLE = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34];

// Plurals the three spelling rules get wrong, written out here independently of words.ts.
const PLURAL_EXCEPTIONS: Record<string, string> = {
  mouse: 'mice', goose: 'geese', ox: 'oxen', sheep: 'sheep', deer: 'deer', fish: 'fish',
  foot: 'feet', tooth: 'teeth', man: 'men', woman: 'women', child: 'children', person: 'people',
  wolf: 'wolves', knife: 'knives', leaf: 'leaves', shelf: 'shelves', potato: 'potatoes', tomato: 'tomatoes',
};
const expectedPlural = (w: string): string =>
  PLURAL_EXCEPTIONS[w] ??
  (/(s|x|z|ch|sh)$/.test(w) ? `${w}es` : /[^aeiou]y$/.test(w) ? w.replace(/y$/, 'ies') : `${w}s`);

const ANTONYM_SPOT: Record<string, string> = { hot: 'cold', cold: 'hot', big: 'small', happy: 'sad', day: 'night', left: 'right' };
const CATEGORY_SPOT: Record<string, string> = {
  dog: 'animal', apple: 'fruit', carrot: 'vegetable', red: 'color', shirt: 'clothing', bus: 'vehicle',
  nose: 'body part', chair: 'furniture', piano: 'instrument', doctor: 'job', hammer: 'tool',
  school: 'place', child: 'person', tree: 'plant',
};

/** The answer recomputed from the input, or a check function where no single answer is obvious. */
const ORACLE: Record<string, (input: string) => string | ((output: string) => boolean)> = {
  add_two: (i) => String(two(i)[0] + two(i)[1]),
  multiply_two: (i) => String(two(i)[0] * two(i)[1]),
  subtract_two: (i) => String(two(i)[0] - two(i)[1]),
  max_two: (i) => String(two(i)[0] >= two(i)[1] ? two(i)[0] : two(i)[1]),
  first_two: (i) => String(two(i)[0]),
  divide_two: (i) => `${two(i)[0]}/${two(i)[1]}`,
  square_one: (i) => String(one(i) ** 2),
  double_one: (i) => String(one(i) + one(i)),
  exp_one: (i) => EXP_TABLE[one(i)],
  fibonacci_one: (i) => String(FIB_TABLE[one(i)]),
  first_letter: (i) => word(i).charAt(0),
  second_letter: (i) => word(i).charAt(1),
  last_letter: (i) => word(i).charAt(word(i).length - 1),
  word_length: (i) => String(word(i).length),
  count_vowels: (i) => String(word(i).replace(/[^aeiou]/g, '').length),
  uppercase: (i) => word(i).replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32)),
  reverse: (i) => {
    const w = word(i);
    let r = '';
    for (let k = w.length - 1; k >= 0; k--) r += w[k];
    return r;
  },
  plural: (i) => expectedPlural(word(i)),
  antonym: (i) => ANTONYM_SPOT[word(i)] ?? ((y: string) => y !== word(i) && /^[a-z]+$/.test(y)),
  next_letter: (i) => String.fromCharCode(word(i).charCodeAt(0) + 1),
  previous_letter: (i) => String.fromCharCode(word(i).charCodeAt(0) - 1),
  category: (i) => CATEGORY_SPOT[word(i)] ?? ((y: string) => Object.values(CATEGORY_SPOT).includes(y)),
};

/** The answer part of an output: ' {y}.\n\n' for math (reference template), ' {y}\n\n' for words. */
function answerOf(task: Task, output: string): string {
  const m = (task.family === 'math' ? /^ (.*)\.\n\n$/s : /^ (.*)\n\n$/s).exec(output);
  if (!m) throw new Error(`${task.id}: unexpected output ${JSON.stringify(output)}`);
  return m[1];
}

function checkExample(task: Task, e: Example): void {
  expect(e.input, `${task.id} input`).toMatch(task.inputFormat);
  expect(e.output, `${task.id} output`).toMatch(task.outputFormat);
  const oracle = ORACLE[task.id];
  expect(oracle, `no independent check for ${task.id}`).toBeDefined();
  const want = oracle(e.input);
  const got = answerOf(task, e.output);
  if (typeof want === 'string') expect(got, `${task.id}: ${e.input}`).toBe(want);
  else expect(want(got), `${task.id}: ${e.input} -> ${got}`).toBe(true);
}

describe.each(TASKS.map((t) => [t.id, t] as const))('%s', (_id, task) => {
  it('every example of the whole space is correct and well formed', () => {
    const all = task.all!();
    for (const e of all) checkExample(task, e);
    expect(new Set(all.map((e) => e.input)).size).toBe(all.length);
  });

  it('generate is deterministic per seed and differs across seeds', () => {
    const a = task.generate(20, 1);
    expect(task.generate(20, 1)).toEqual(a);
    expect(task.generate(20, 2)).not.toEqual(a);
    expect(task.generate(20, 1_000_003)).not.toEqual(a);
    for (const e of a) checkExample(task, e);
  });

  it('generate draws without replacement, then covers the space evenly', () => {
    const size = task.all!().length;
    const inSpace = new Set(task.all!().map((e) => `${e.input}\u0000${e.output}`));
    const k = Math.min(size, 30);
    const distinct = task.generate(k, 9);
    expect(new Set(distinct.map((e) => e.input)).size).toBe(k);
    const many = task.generate(2 * size + 3, 9);
    expect(many).toHaveLength(2 * size + 3);
    for (const e of many) expect(inSpace.has(`${e.input}\u0000${e.output}`)).toBe(true);
    const counts = new Map<string, number>();
    for (const e of many) counts.set(e.input, (counts.get(e.input) ?? 0) + 1);
    expect(counts.size).toBe(size);
    for (const c of counts.values()) expect(c === 2 || c === 3).toBe(true);
  });

  it('generate validates n and returns fresh objects', () => {
    expect(task.generate(0, 1)).toEqual([]);
    expect(() => task.generate(-1, 1)).toThrow(RangeError);
    expect(() => task.generate(1.5, 1)).toThrow(RangeError);
    const [e] = task.generate(1, 4);
    e.output = 'mutated';
    expect(task.generate(1, 4)[0].output).not.toBe('mutated');
  });
});

describe('descriptions fit in a prompt', () => {
  // The search's prompts are 6 tokens long: a paraphrase whose keyword comes late teaches the
  // model proposals that are right in meaning but judged wrong ("Write the total you get when").
  // The paper's canonical descriptions (index 0) are kept as they are.
  it.each(MATH_TASKS.map((t) => [t.id, t] as const))('%s: every other paraphrase says its keyword within five words', (_id, task) => {
    for (const d of task.descriptions.slice(1)) expect(task.isCorrect(d.split(/\s+/).slice(0, 5).join(' ')), d).toBe(true);
  });
});

describe('formats follow the reference', () => {
  it('math: template 0 of one_num.py / two_num.py, whole space in enumeration order', () => {
    expect(getTask('add_two').all!()[0]).toEqual({
      input: 'Given the input numbers 0 and 0, the answer is',
      output: ' 0.\n\n',
    });
    expect(getTask('add_two').all!()[37]).toEqual({
      input: 'Given the input numbers 3 and 7, the answer is',
      output: ' 10.\n\n',
    });
    expect(getTask('subtract_two').all!()[9].output).toBe(' -9.\n\n');
    expect(getTask('divide_two').all!()[30].output).toBe(' 3/0.\n\n');
    expect(getTask('square_one').all!()[7]).toEqual({
      input: 'Given the input x is 7, the output f(x) is',
      output: ' 49.\n\n',
    });
    expect(getTask('exp_one').all!().map((e) => e.output)).toEqual(EXP_TABLE.map((y) => ` ${y}.\n\n`));
    for (const t of MATH_TASKS) expect(t.all!()).toHaveLength(t.id.endsWith('_two') ? 100 : 10);
  });

  it('word: the instruction-induction wrapping "Input: {s} Answer:" -> " {s}\\n\\n"', () => {
    const cat = getTask('first_letter').all!().find((e) => e.input === 'Input: cat Answer:');
    expect(cat).toEqual({ input: 'Input: cat Answer:', output: ' c\n\n' });
    const mouse = getTask('plural').all!().find((e) => e.input === 'Input: mouse Answer:');
    expect(mouse?.output).toBe(' mice\n\n');
    expect(getTask('next_letter').all!()[0]).toEqual({ input: 'Input: a Answer:', output: ' b\n\n' });
  });
});
