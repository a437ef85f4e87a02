import { describe, expect, it } from 'vitest';
import { cutTokens, scoringContext, scoringText, type CutSide } from './template.ts';

// A piece encoder over words (ids are the words' positions in a fixed list), cut to 3 tokens.
const words = ['Rule:', 'add', 'them', '.', 'x', 'y', 'z', 'w', 'is'];
const enc = (text: string, side: CutSide) => cutTokens(text.split(/\s+|(?=\.)|(?<=\.)/).filter(Boolean).map((w) => words.indexOf(w)), 3, side);
const names = (ids: number[]) => ids.map((i) => words[i]).join(' ');

describe('the scoring template', () => {
  it('prompt first: preprefix | prompt | ". input", the input cut keeping its start', () => {
    const o = { prefix_before_input: true, preprefix: 'Rule:', max_length: 3 };
    expect(names(scoringContext([1, 2], 'x y z w', o, enc))).toBe('Rule: add them . x y');
    expect(names(scoringContext([], 'x y', o, enc))).toBe('Rule: . x y');
    expect(names(scoringContext([1], 'x', { ...o, preprefix: '' }, enc))).toBe('add . x');
  });

  it('input first: input | preprefix | prompt, the input cut keeping its end (next to the prompt)', () => {
    const o = { prefix_before_input: false, preprefix: 'Rule:', max_length: 3 };
    expect(names(scoringContext([1, 2], 'x y z w', o, enc))).toBe('y z w Rule: add them');
    expect(names(scoringContext([], 'x', { ...o, preprefix: '' }, enc))).toBe('x');
  });

  it('as text, for a person to read', () => {
    expect(scoringText(' Add them', 'Given 2 and 5 is', { prefix_before_input: true, preprefix: '' })).toBe(' Add them. Given 2 and 5 is');
    expect(scoringText(' Add them', 'Given 2 and 5 is', { prefix_before_input: false, preprefix: ' Rule:' })).toBe('Given 2 and 5 is Rule: Add them');
  });

  it('cuts only what is longer than the limit', () => {
    expect(cutTokens([1, 2, 3], 3, 'left')).toEqual([1, 2, 3]);
    expect(cutTokens([1, 2], 3, 'left')).toEqual([1, 2]);
    expect(cutTokens([1, 2], 3, 'right')).toEqual([1, 2]);
    expect(cutTokens([1, 2, 3, 4], 3, 'left')).toEqual([2, 3, 4]);
    expect(cutTokens([1, 2, 3, 4], 3, 'right')).toEqual([1, 2, 3]);
  });
});
