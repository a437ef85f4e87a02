/**
 * Word tasks in the style of the instruction-induction suite (reference section 3.3; research
 * repo `iprompt/data_utils/induction.py`), which wraps every row as
 *
 *   input:  f'Input: {s} Answer:'     output: f' {s}\n\n'
 *
 * We follow that format exactly: 'Input: cat Answer:' -> ' c\n\n'. Unlike the math templates
 * there is no period before the newlines; the search's `rstrip().rstrip('.')` turns it into ' c'.
 *
 * Patterns are ours (the reference's induction patterns are single words such as `first`, which
 * would also accept "first number"). They are applied case-insensitively and aim to accept the
 * ways a person names the task ("first letter", "initial letter", "starts with") while
 * rejecting neighbours ("last letter", "second letter", "next letter").
 */
import { defineTask } from './define.ts';
import type { Example, Task } from './types.ts';
import { ALPHABET, ANTONYM_WORDS, ANTONYMS, CATEGORY_OF, COUNTABLE_NOUNS, NOUNS, WORDS, pluralOf } from './words.ts';

const WORD_INPUT = /^Input: [a-z]{2,} Answer:$/;
const LETTER_INPUT = /^Input: [a-z] Answer:$/;
const wordInput = (s: string): string => `Input: ${s} Answer:`;
const wordOutput = (s: string | number): string => ` ${s}\n\n`;
const outputOf = (body: string): RegExp => new RegExp(`^ ${body}\\n\\n$`);

interface WordTaskSpec {
  id: string;
  title: string;
  descriptions: string[];
  pattern: string;
  inputs: readonly string[];
  f: (input: string) => string | number;
  outputBody: string;
  reference?: string;
}

function wordTask(spec: WordTaskSpec): Task {
  const single = spec.inputs.every((s) => s.length === 1);
  return defineTask({
    id: spec.id,
    family: 'word',
    title: spec.title,
    descriptions: spec.descriptions,
    pattern: spec.pattern,
    inputFormat: single ? LETTER_INPUT : WORD_INPUT,
    outputFormat: outputOf(spec.outputBody),
    ...(spec.reference !== undefined ? { reference: spec.reference } : {}),
    space: (): Example[] => spec.inputs.map((s) => ({ input: wordInput(s), output: wordOutput(spec.f(s)) })),
  });
}

const countVowels = (w: string): number => [...w].filter((c) => 'aeiou'.includes(c)).length;
const lookup = (map: ReadonlyMap<string, string>, w: string): string => {
  const v = map.get(w);
  if (v === undefined) throw new Error(`no entry for '${w}'`);
  return v;
};

export const WORD_TASKS: readonly Task[] = Object.freeze([
  wordTask({
    id: 'first_letter',
    title: 'First letter',
    reference: 'first_word_letter',
    descriptions: [
      'Write the first letter of the word.',
      'Output the initial letter of the input.',
      'Return the letter the word starts with.',
      'Give the first character of the word.',
      'What letter does the word begin with?',
    ],
    pattern:
      '\\b(first|initial|starting|beginning|opening|leading)\\s+(letter|character|char)\\b|\\b(starts?|begins?)\\s+with\\b',
    inputs: WORDS,
    f: (w) => w[0],
    outputBody: '[a-z]',
  }),
  wordTask({
    id: 'second_letter',
    title: 'Second letter',
    reference: 'second_word_letter',
    descriptions: [
      'Write the second letter of the word.',
      'Output the second character of the input.',
      'Return the 2nd letter of the word.',
      "Give the word's second letter.",
    ],
    pattern: '\\b(second|2nd)\\s+(letter|character|char)\\b',
    inputs: WORDS,
    f: (w) => w[1],
    outputBody: '[a-z]',
  }),
  wordTask({
    id: 'last_letter',
    title: 'Last letter',
    descriptions: [
      'Write the last letter of the word.',
      'Output the final letter of the input.',
      'Return the letter the word ends with.',
      "Give the word's last character.",
    ],
    pattern: '\\b(last|final|ending|closing|trailing)\\s+(letter|character|char)\\b|\\bends?\\s+with\\b',
    inputs: WORDS,
    f: (w) => w[w.length - 1],
    outputBody: '[a-z]',
  }),
  wordTask({
    id: 'word_length',
    title: 'Word length',
    descriptions: [
      'Write the number of letters in the word.',
      'Count the letters in the word.',
      'Output the length of the word.',
      'How many letters does the word have?',
      'Give the word length.',
    ],
    pattern:
      '\\blength\\b|\\bhow\\s+(many\\s+letters|long)\\b|\\bnumber\\s+of\\s+(letters|characters)\\b|\\bcount\\s+(the\\s+|all\\s+)?(letters|characters)\\b|\\b(letter|character)\\s+count\\b',
    inputs: WORDS,
    f: (w) => w.length,
    outputBody: '\\d{1,2}',
  }),
  wordTask({
    id: 'count_vowels',
    title: 'Count vowels',
    // y is not counted: the vowels are a, e, i, o, u.
    descriptions: [
      'Count the vowels in the word.',
      'Write the number of vowels in the word.',
      'How many vowels does the word have?',
      'Output how many of its letters are vowels (a, e, i, o, u).',
    ],
    pattern: 'vowel',
    inputs: WORDS,
    f: countVowels,
    outputBody: '\\d',
  }),
  wordTask({
    id: 'uppercase',
    title: 'Uppercase',
    descriptions: [
      'Write the word in uppercase.',
      'Convert the word to capital letters.',
      'Output the word in all caps.',
      'Make every letter of the word upper case.',
      'Capitalize every letter of the word.',
    ],
    pattern: 'upper\\s*-?\\s*case|capital|\\bcaps\\b',
    inputs: WORDS,
    f: (w) => w.toUpperCase(),
    outputBody: '[A-Z]+',
  }),
  wordTask({
    id: 'reverse',
    title: 'Reverse the word',
    descriptions: [
      'Write the word backwards.',
      'Reverse the letters of the word.',
      'Spell the word in reverse order.',
      'Output the word read from right to left.',
    ],
    pattern: 'revers|backward|right\\s+to\\s+left',
    inputs: WORDS,
    f: (w) => [...w].reverse().join(''),
    outputBody: '[a-z]+',
  }),
  wordTask({
    id: 'plural',
    title: 'Plural',
    reference: 'singular_to_plural',
    descriptions: [
      'Write the plural of the word.',
      'Output the plural form of the noun.',
      'Give the word in its plural form.',
      'Return the plural: the word for more than one of them.',
    ],
    pattern: 'plural',
    inputs: COUNTABLE_NOUNS,
    f: pluralOf,
    outputBody: '[a-z]+',
  }),
  wordTask({
    id: 'antonym',
    title: 'Antonym',
    reference: 'antonyms',
    descriptions: [
      'Write the opposite of the word.',
      'Output an antonym of the input.',
      'Give the word with the opposite meaning.',
      'Return the antonym of the word.',
    ],
    pattern: 'antonym|opposite',
    inputs: ANTONYM_WORDS,
    f: (w) => lookup(ANTONYMS, w),
    outputBody: '[a-z]+',
  }),
  wordTask({
    id: 'next_letter',
    title: 'Next letter of the alphabet',
    descriptions: [
      'Write the next letter of the alphabet.',
      'Output the letter that comes after the input letter.',
      'Give the following letter in the alphabet.',
      'Return the letter after the given one in alphabetical order.',
    ],
    pattern:
      '\\b(next|following|succeeding|subsequent)\\s+letter\\b|\\bletter\\s+(that\\s+|which\\s+)?(comes\\s+|is\\s+)?after\\b|\\bcomes\\s+after\\b',
    // a..y: no wrap-around, so every answer is unambiguous.
    inputs: [...ALPHABET.slice(0, -1)],
    f: (c) => ALPHABET[ALPHABET.indexOf(c) + 1],
    outputBody: '[b-z]',
  }),
  wordTask({
    id: 'previous_letter',
    title: 'Previous letter of the alphabet',
    descriptions: [
      'Write the previous letter of the alphabet.',
      'Output the letter that comes before the input letter.',
      'Give the preceding letter in the alphabet.',
      'Return the letter before the given one in alphabetical order.',
    ],
    pattern:
      '\\b(previous|preceding|prior)\\s+letter\\b|\\bletter\\s+(that\\s+|which\\s+)?(comes\\s+|is\\s+)?before\\b|\\bcomes\\s+before\\b',
    inputs: [...ALPHABET.slice(1)],
    f: (c) => ALPHABET[ALPHABET.indexOf(c) - 1],
    outputBody: '[a-y]',
  }),
  wordTask({
    id: 'category',
    title: 'Category of the thing',
    descriptions: [
      'Write the category the word belongs to.',
      'Output what kind of thing the word names.',
      'Classify the word as an animal, a fruit, a tool, and so on.',
      'Give the general category of the object.',
      'Which group of things does the word belong to?',
    ],
    pattern: 'categor|classif|\\bclass\\b|\\bkind\\s+of\\s+thing|\\btype\\s+of\\s+thing|\\bwhat\\s+kind\\b|\\bwhich\\s+group\\b',
    inputs: NOUNS,
    f: (w) => lookup(CATEGORY_OF, w),
    outputBody: '[a-z]+( [a-z]+)?',
  }),
]);
