import { describe, expect, it } from 'vitest';
import { getTask } from './index.ts';
import {
  ANTONYM_PAIRS,
  ANTONYMS,
  COUNTABLE_NOUNS,
  IRREGULAR_PLURALS,
  NOUNS,
  NOUNS_BY_CATEGORY,
  WORDS,
  pluralOf,
} from './words.ts';

describe('word lists', () => {
  it('has a few hundred lowercase words, no duplicates', () => {
    expect(WORDS.length).toBeGreaterThanOrEqual(300);
    expect(new Set(WORDS).size).toBe(WORDS.length);
    for (const w of WORDS) expect(w).toMatch(/^[a-z]{2,}$/);
  });

  it('puts every noun in exactly one category', () => {
    const all = Object.values(NOUNS_BY_CATEGORY).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(NOUNS).toHaveLength(all.length);
  });

  it('has about sixty antonym pairs with each word in one pair, so the opposite is a function', () => {
    expect(ANTONYM_PAIRS.length).toBeGreaterThanOrEqual(60);
    const words = ANTONYM_PAIRS.flat();
    expect(new Set(words).size).toBe(words.length);
    for (const [a, b] of ANTONYM_PAIRS) {
      expect(ANTONYMS.get(a)).toBe(b);
      expect(ANTONYMS.get(b)).toBe(a);
    }
  });

  it('the antonym task is an involution and never answers with its input', () => {
    const task = getTask('antonym');
    const map = new Map(task.all!().map((e) => [e.input.slice(7, -8), e.output.slice(1, -2)]));
    expect(map.size).toBe(2 * ANTONYM_PAIRS.length);
    for (const [w, o] of map) {
      expect(o).not.toBe(w);
      expect(map.get(o)).toBe(w);
    }
  });

  it('plural: known irregulars and regular spellings', () => {
    const cases: [string, string][] = [
      ['cat', 'cats'], ['bus', 'buses'], ['box', 'boxes'], ['peach', 'peaches'], ['brush', 'brushes'],
      ['cherry', 'cherries'], ['monkey', 'monkeys'], ['piano', 'pianos'], ['chef', 'chefs'],
      ['giraffe', 'giraffes'], ['mouse', 'mice'], ['child', 'children'], ['person', 'people'],
      ['sheep', 'sheep'], ['knife', 'knives'], ['potato', 'potatoes'], ['tooth', 'teeth'],
    ];
    for (const [s, p] of cases) expect(pluralOf(s), s).toBe(p);
    // Every irregular listed is one of the plural task's nouns (no dead entries).
    for (const w of Object.keys(IRREGULAR_PLURALS)) expect(COUNTABLE_NOUNS).toContain(w);
  });

  it('the plural task leaves out colours', () => {
    const inputs = getTask('plural').all!().map((e) => e.input);
    expect(inputs).not.toContain('Input: red Answer:');
    expect(inputs).toContain('Input: cat Answer:');
  });
});
