import { describe, expect, it } from 'vitest';
import { TASKS, getTask } from './index.ts';

/** The paper's check_answer_func strings (reference section 3.1), verbatim. */
const PAPER_PATTERNS: Record<string, string> = {
  add_two: 'add|sum|\\+',
  multiply_two: 'multiply|product|\\*',
  divide_two: 'divide|into|quotient',
  subtract_two: 'subtract|difference|\\-',
  max_two: 'max|large|greate|big',
  first_two: 'first|begin|original',
  square_one: 'square|(mult.*self)|(prod.*self)|x\\s*\\*\\s*x|pow\\(x,\\s*2\\)',
  exp_one: 'exp|e\\s*^\\s*x|e\\s*to the\\s*x',
  double_one: 'two|double|2',
  fibonacci_one: 'fib',
};

/** The paper's ground-truth descriptions, which must stay first (canonical). */
const PAPER_DESCRIPTIONS: Record<string, string> = {
  add_two: 'Return the sum of the inputs.',
  multiply_two: 'Return the product of the inputs.',
  divide_two: 'Return the quotient of the inputs.',
  subtract_two: 'Return the difference of the inputs.',
  max_two: 'Return the maximum of the inputs.',
  first_two: 'Return the first of the inputs.',
  square_one: 'Square the input to get the output.',
  exp_one: 'Exponentiate the input to get the output.',
  double_one: 'Given an input x, return 2*x.',
  fibonacci_one: 'Given an input x, return the xth fibonacci number.',
};

/**
 * [judge, description owner]: canonical descriptions that another task's pattern accepts.
 * Both come from the paper's own patterns, which we keep verbatim:
 * - multiply_two's `\*` accepts double_one's ground truth "Given an input x, return 2*x.";
 * - first_two's `first` accepts "Write the first letter of the word." (the instruction-induction
 *   suite's own wording for first_word_letter).
 * Listed in the order the scan below finds them (task order).
 */
const DOCUMENTED_EXCEPTIONS: readonly (readonly [string, string])[] = [
  ['multiply_two', 'double_one'],
  ['first_two', 'first_letter'],
];

describe('keyword patterns', () => {
  it('math tasks use the paper\'s patterns and ground-truth descriptions verbatim', () => {
    for (const [id, pattern] of Object.entries(PAPER_PATTERNS)) {
      const t = getTask(id);
      expect(t.pattern).toBe(pattern);
      expect(t.keywords.source).toBe(pattern);
      expect(t.keywords.flags).toBe('i');
      expect(t.descriptions[0]).toBe(PAPER_DESCRIPTIONS[id]);
    }
  });

  it('every description passes its own task\'s pattern, in any case', () => {
    for (const t of TASKS) {
      for (const d of t.descriptions) {
        expect(t.isCorrect(d), `${t.id}: ${d}`).toBe(true);
        expect(t.isCorrect(d.toUpperCase()), `${t.id}: ${d.toUpperCase()}`).toBe(true);
      }
    }
  });

  it("no task's pattern accepts another task's canonical description, except the documented ones", () => {
    const violations: [string, string][] = [];
    for (const judge of TASKS) {
      for (const other of TASKS) {
        if (judge !== other && judge.isCorrect(other.descriptions[0])) violations.push([judge.id, other.id]);
      }
    }
    expect(violations).toEqual(DOCUMENTED_EXCEPTIONS);
  });

  it('isCorrect searches anywhere in the prompt and keeps no state between calls', () => {
    const t = getTask('add_two');
    expect(t.isCorrect(' Write a function to sum two')).toBe(true); // a GPT-J top prompt
    expect(t.isCorrect(' Write a function to sum two')).toBe(true);
    expect(t.isCorrect(' Write a function of the numbers')).toBe(false);
  });

  it("reproduces the paper patterns' quirks", () => {
    // `^` anchors at the start, so the e^x alternative never matches (also in Python's re).
    expect(getTask('exp_one').isCorrect('Return e^x')).toBe(false);
    expect(getTask('exp_one').isCorrect('Return e to the x')).toBe(true);
    // Any hyphen counts as subtraction, any 2 as doubling.
    expect(getTask('subtract_two').isCorrect('a one-line answer')).toBe(true);
    expect(getTask('double_one').isCorrect('Output x + 2')).toBe(true);
    expect(getTask('square_one').isCorrect('Multiply the number by itself')).toBe(true);
  });

  it('word patterns accept the ways people say it and reject neighbours', () => {
    const cases: [string, string[], string[]][] = [
      ['first_letter',
        ['Output the first letter', 'the initial letter of each word', 'Which letter does it start with?', 'first character'],
        ['Write the last letter of the word.', 'Write the second letter of the word.', 'Write the next letter of the alphabet.', 'first number']],
      ['last_letter',
        ['the final letter', 'the last character of the input', 'What letter does the word end with?'],
        ['Write the first letter of the word.', 'the last number', 'Write the word backwards.']],
      ['second_letter',
        ['the second letter', 'Give the 2nd character'],
        ['Write the first letter of the word.', 'the second number']],
      ['word_length',
        ['How long is the word?', 'the length of the input', 'number of characters', 'count all letters'],
        ['Count the vowels in the word.', 'Write the number of vowels in the word.', 'count the words']],
      ['count_vowels',
        ['number of vowels', 'How many vowels?'],
        ['Count the letters in the word.']],
      ['uppercase',
        ['in upper case', 'UPPERCASE it', 'all caps', 'capital letters'],
        ['Write the word backwards.', 'lower case']],
      ['reverse',
        ['spell it backward', 'reversed word', 'read right to left'],
        ['Write the last letter of the word.']],
      ['plural',
        ['plural form', 'the plurals of the inputs'],
        ['the singular', 'Write the opposite of the word.']],
      ['antonym',
        ['an antonym', 'the opposite meaning'],
        ['a synonym', 'a word with the same meaning']],
      ['next_letter',
        ['the next letter', 'the letter that comes after it', 'the following letter'],
        ['the previous letter', 'the letter before it', 'Write the first letter of the word.']],
      ['previous_letter',
        ['the previous letter', 'the letter before it', 'the preceding letter', 'the letter that comes before'],
        ['the next letter', 'the letter after it']],
      ['category',
        ['the category', 'what kind of thing is it', 'classify the object'],
        ['Write the plural of the word.', 'what letter']],
    ];
    for (const [id, yes, no] of cases) {
      const t = getTask(id);
      for (const p of yes) expect(t.isCorrect(p), `${id} should accept: ${p}`).toBe(true);
      for (const p of no) expect(t.isCorrect(p), `${id} should reject: ${p}`).toBe(false);
    }
  });
});
