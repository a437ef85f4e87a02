import { describe, expect, it } from 'vitest';
import { DataError, plannedSteps, prepareData, stripOutputString } from './data.ts';
import { resolveOptions, type IPromptOptionsInput } from './options.ts';
import { SeededRandom } from '../util/random.ts';
import { thrown } from '../test/thrown.ts';

const prep = (inputs: unknown[], outputs: unknown[], opts: IPromptOptionsInput = {}) => prepareData(inputs as string[], outputs as string[], resolveOptions(opts), SeededRandom.search(1));
const examples = (n: number) => [Array.from({ length: n }, (_, i) => `in ${i}`), Array.from({ length: n }, (_, i) => ` out ${i}`)] as const;

function refusal(f: () => unknown): DataError {
  const e = thrown(f, DataError);
  expect(e.name).toBe('DataError');
  return e;
}

describe('prepareData refuses bad data, naming the example', () => {
  it.each([
    [[], [], 'There are no examples.'],
    [['a', 'b'], [' 1'], 'There are 2 inputs but 1 outputs; every input needs one output.'],
    [['a', 3], [' 1', ' 2'], 'Example 2: inputs and outputs must be text.'],
    [['a', 'b'], [' 1', null], 'Example 2: inputs and outputs must be text.'],
    [['a', ' \t '], [' 1', ' 2'], 'Example 2: the input is empty.'],
    [['a'], [' ..  '], 'Example 1: the output is empty once trailing spaces and periods are removed (" ..  ").'],
  ])('%j -> %j', (inputs, outputs, message) => {
    expect(refusal(() => prep(inputs, outputs)).message).toBe(message);
  });

  it('n_shots larger than the examples left for the search', () => {
    const [i, o] = examples(8);
    // 8 examples, 2 held out: 6 left.
    expect(refusal(() => prep([...i], [...o], { n_shots: 7 })).message).toBe('n_shots is 7 but only 6 examples are left for the search; lower n_shots or add examples.');
    expect(prep([...i], [...o], { n_shots: 6 }).rows[0].text.split('\n\n')).toHaveLength(6);
  });

  it('max_n_datapoints 0 leaves no rows', () => {
    const [i, o] = examples(8);
    expect(refusal(() => prep([...i], [...o], { max_n_datapoints: 0 })).message).toBe('No rows to search over: max_n_datapoints is 0.');
    expect(refusal(() => prep([...i], [...o], { max_n_datapoints: 0, n_shots: 2 })).message).toBe('No rows to search over: max_n_datapoints is 0.');
  });
});

describe('the held-out split', () => {
  const split = (n: number, opts: IPromptOptionsInput = {}) => {
    const [i, o] = examples(n);
    const d = prep([...i], [...o], opts);
    return [d.heldOut.length, d.trainExamples, d.rows.length];
  };
  it('is round(n * held_out_fraction), at least 1 and at most n_eval, always leaving one to search', () => {
    expect(split(40)).toEqual([10, 30, 30]);
    expect(split(2)).toEqual([1, 1, 1]);
    expect(split(1)).toEqual([0, 1, 1]);
    expect(split(3, { held_out_fraction: 0.01 })).toEqual([1, 2, 2]);
    expect(split(4, { held_out_fraction: 0.99 })).toEqual([3, 1, 1]);
    expect(split(40, { n_eval: 4 })).toEqual([4, 36, 36]);
  });
  it('is empty with held_out_fraction 0 or without the final ranking', () => {
    expect(split(40, { held_out_fraction: 0 })).toEqual([0, 40, 40]);
    expect(split(40, { do_final_reranking: false })).toEqual([0, 40, 40]);
  });
  it('never shares an example with the rows', () => {
    const [i, o] = examples(40);
    const d = prep([...i], [...o]);
    const held = new Set(d.heldOut.map((e) => e.input));
    expect(held.size).toBe(10);
    for (const r of d.rows) expect(held.has(r.input)).toBe(false);
  });
});

describe('rows', () => {
  it('keeps every row, in order, when max_n_datapoints is exactly the number of rows', () => {
    const [i, o] = examples(10);
    const d = prep([...i], [...o], { held_out_fraction: 0, max_n_datapoints: 10 });
    expect(d.rows.map((r) => r.input)).toEqual([...i]);
    const fewer = prep([...i], [...o], { held_out_fraction: 0, max_n_datapoints: 9 });
    expect(fewer.rows).toHaveLength(9);
    expect(fewer.rows.map((r) => r.input)).not.toEqual(i.slice(0, 9));
  });

  it('strips outputs as rstrip().rstrip("."): only the trailing periods go', () => {
    expect(stripOutputString(' 8.5.')).toBe(' 8.5');
    expect(stripOutputString(' a.b..  \n')).toBe(' a.b');
    expect(stripOutputString(' .5')).toBe(' .5');
  });
});

describe('plannedSteps', () => {
  it('stops after the step on which the step count exceeds max_n_steps', () => {
    const o = resolveOptions({ batch_size: 8, max_n_steps: 2, n_epochs: 10 });
    expect(plannedSteps(30, o)).toBe(3);
    expect(plannedSteps(30, resolveOptions({ batch_size: 8, max_n_steps: 0, n_epochs: 10 }))).toBe(1);
  });
  it('counts a short last batch and n_epochs', () => {
    // 30 rows in batches of 8: 8, 8, 8, 6; max_n_datapoints 40 is passed by the sixth step (46).
    expect(plannedSteps(30, resolveOptions({ batch_size: 8, n_epochs: 10, max_n_datapoints: 40 }))).toBe(6);
    expect(plannedSteps(30, resolveOptions({ batch_size: 8, n_epochs: 2 }))).toBe(8);
  });
});
