import { describe, expect, it } from 'vitest';
import { getAddTwoNumbersDataset } from './addTwo.ts';

const INPUT = /^Given the input numbers (\d) and (\d), the answer is$/;
const parse = (input: string): [number, number] => {
  const m = INPUT.exec(input);
  if (!m) throw new Error(`bad input ${JSON.stringify(input)}`);
  return [Number(m[1]), Number(m[2])];
};

describe('getAddTwoNumbersDataset (imodelsx get_add_two_numbers_dataset)', () => {
  it('returns the 100 rows of add_two.csv with the exact strings', () => {
    const { inputs, outputs } = getAddTwoNumbersDataset();
    expect(inputs).toHaveLength(100);
    expect(outputs).toHaveLength(100);
    expect(inputs[0]).toBe('Given the input numbers 8 and 0, the answer is');
    expect(outputs[0]).toBe(' 8.\n\n');
    expect(inputs[1]).toBe('Given the input numbers 8 and 4, the answer is');
    expect(outputs[1]).toBe(' 12.\n\n');
    expect(inputs[99]).toBe('Given the input numbers 3 and 7, the answer is');
    expect(outputs[99]).toBe(' 10.\n\n');
  });

  it('keeps the file order (first and last rows of add_two.csv at imodelsX a387674)', () => {
    const { inputs } = getAddTwoNumbersDataset();
    expect(inputs.slice(0, 5).map(parse)).toEqual([
      [8, 0],
      [8, 4],
      [3, 3],
      [8, 1],
      [9, 3],
    ]);
    expect(inputs.slice(-3).map(parse)).toEqual([
      [7, 2],
      [1, 2],
      [3, 7],
    ]);
    // The file is shuffled, not the enumeration order a = i // 10, b = i % 10.
    expect(inputs.map(parse)).not.toEqual(Array.from({ length: 100 }, (_, i) => [Math.floor(i / 10), i % 10]));
  });

  it('holds every pair of digits exactly once, each with its sum', () => {
    const { inputs, outputs } = getAddTwoNumbersDataset();
    const pairs = inputs.map(parse);
    expect(new Set(pairs.map(([a, b]) => `${a},${b}`)).size).toBe(100);
    pairs.forEach(([a, b], i) => expect(outputs[i]).toBe(` ${a + b}.\n\n`));
  });

  it('samples numExamples distinct rows like df.sample(n), rows kept whole', () => {
    const full = getAddTwoNumbersDataset();
    const rowOf = new Map(full.inputs.map((inp, i) => [inp, full.outputs[i]]));
    const { inputs, outputs } = getAddTwoNumbersDataset(10);
    expect(inputs).toHaveLength(10);
    expect(new Set(inputs).size).toBe(10);
    inputs.forEach((inp, i) => expect(outputs[i]).toBe(rowOf.get(inp)));

    expect(getAddTwoNumbersDataset(0)).toEqual({ inputs: [], outputs: [] });

    const all = getAddTwoNumbersDataset(100);
    expect([...all.inputs].sort()).toEqual([...full.inputs].sort());
    // Unseeded, as in the reference: a full-size sample is a fresh shuffle (1/100! to collide).
    expect(getAddTwoNumbersDataset(100).inputs).not.toEqual(all.inputs);
  });

  it('rejects what pandas rejects: more than 100 rows, negative or fractional n', () => {
    expect(() => getAddTwoNumbersDataset(101)).toThrow(RangeError);
    expect(() => getAddTwoNumbersDataset(-1)).toThrow(RangeError);
    expect(() => getAddTwoNumbersDataset(2.5)).toThrow(RangeError);
  });

  it('is reproducible when given a seed (our addition)', () => {
    expect(getAddTwoNumbersDataset(20, 5)).toEqual(getAddTwoNumbersDataset(20, 5));
    expect(getAddTwoNumbersDataset(20, 5)).not.toEqual(getAddTwoNumbersDataset(20, 6));
  });
});
