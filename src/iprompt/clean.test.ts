import { describe, expect, it } from 'vitest';
import { shorterWordings as wordings, trimDangling } from './clean.ts';

const shorterWordings = (text: string) => wordings(text).map((w) => w.text);
const tailOnly = (text: string) => wordings(text).filter((w) => w.tailOnly).map((w) => w.text);

describe('shorter wordings of a prompt', () => {
  it('cuts on word boundaries, drops dangling operators and spaces, keeps sentence ends (hand-worked)', () => {
    expect(shorterWordings(' Compute a + b.arts')).toEqual([' Compute', ' Compute a', ' Compute a + b', ' Compute a + b.']);
  });

  it('the prompt trimmed of its own dangling end is a candidate; a prompt that ends cleanly is not its own candidate', () => {
    expect(shorterWordings(' Add two,')).toEqual([' Add', ' Add two']);
    expect(shorterWordings(' Add two')).toEqual([' Add']);
    expect(shorterWordings(' Add')).toEqual([]);
  });

  it('marks the cuts that drop only a tail after a sentence end or dangling punctuation (hand-worked)', () => {
    expect(tailOnly(' Compute a + b.arts')).toEqual([' Compute a + b', ' Compute a + b.']);
    expect(tailOnly(' Compute a + b. two')).toEqual([' Compute a + b', ' Compute a + b.']);
    expect(tailOnly(' Add two,')).toEqual([' Add two']);
    expect(tailOnly(' Give Multiply the number by two')).toEqual([]);
    // A decimal point is not a sentence end; a full stop next to one digit is.
    expect(tailOnly(' Add 3.5 to x')).toEqual([]);
    expect(tailOnly(' Add x.5 more')).toEqual([' Add x', ' Add x.']);
    expect(tailOnly(' Add 3.x more')).toEqual([' Add 3', ' Add 3.']);
    // Dropping only the final end mark is a tail cut too; the text itself is never its own candidate.
    expect(wordings(' Add two.')).toEqual([{ text: ' Add', tailOnly: false }, { text: ' Add two', tailOnly: true }]);
    expect(tailOnly(' Done! Now x')).toEqual([' Done', ' Done!']);
  });

  it('never offers a wording without a letter or digit', () => {
    expect(shorterWordings(' + - x')).toEqual([]);
    expect(shorterWordings('. x')).toEqual([]);
    expect(shorterWordings(' 7 + x')).toEqual([' 7']);
    expect(shorterWordings('(( 7')).toEqual([]);
  });

  it('letters of any script and digits are word characters', () => {
    expect(shorterWordings(' Añade 2 números')).toEqual([' Añade', ' Añade 2']);
  });

  it('trimDangling keeps closing marks and sentence ends, drops what is left open', () => {
    expect(trimDangling(' (x)')).toBe(' (x)');
    expect(trimDangling(' a, (')).toBe(' a');
    expect(trimDangling(' "yes"')).toBe(' "yes"');
    expect(trimDangling(' 50%:')).toBe(' 50%');
    expect(trimDangling(' done?! ')).toBe(' done?!');
    expect(trimDangling(' +')).toBe('');
  });
});
