import { describe, expect, it } from 'vitest';
import { PromptPool } from './pool.ts';
import { SeededRandom } from '../util/random.ts';
import { epochBatches, plannedSteps, prepareData, stripOutputString } from './data.ts';
import { resolveOptions } from './options.ts';

const decode = (ids: readonly number[]) => ids.join(' ');
const origin = { kind: 'proposal' } as const;

describe('PromptPool', () => {
  it('averages every batch and keeps one prompt per first token in the diverse top-k', () => {
    const pool = new PromptPool('loss', decode);
    pool.update([1, 2], 1.0, 0, 1, origin);
    pool.update([1, 3], 0.5, 0, 1, origin);
    pool.update([2, 9], 0.8, 0, 1, origin);
    pool.update([3, 9], 2.0, 0, 1, origin);
    pool.update([1, 3], 1.5, 0, 2, origin); // [1,3] now averages 1.0, tied with [1,2]: the earlier wins
    expect(pool.get('1,3')!.meanLoss).toBe(1.0);
    expect(pool.get('1,3')!.losses).toEqual([0.5, 1.5]);
    const top = pool.topkDifferentStartToken(3, 0, SeededRandom.search(1));
    expect(top.map((e) => e.key)).toEqual(['2,9', '1,2', '3,9']);
    expect(pool.topkAll(3).map((e) => e.key)).toEqual(['2,9', '1,2', '1,3']);
  });

  it('pads a short diverse top-k with random repeats, and drops a filter that leaves nothing', () => {
    const pool = new PromptPool('loss', decode);
    pool.update([1], 1, 0, 1, origin);
    pool.update([2], 2, 0, 1, origin);
    const top = pool.topkDifferentStartToken(5, 3, SeededRandom.search(3));
    expect(top.length).toBe(5);
    expect(new Set(top.map((e) => e.key))).toEqual(new Set(['1', '2']));
    // min_occurrences is strict: more than 1 batch needed.
    pool.update([2], 2, 0, 2, origin);
    expect(pool.topkAll(5, 1).map((e) => e.key)).toEqual(['2']);
  });

  it("orders by accuracy for 'acc' and by rounded accuracy then loss for 'combined'", () => {
    for (const criterion of ['acc', 'combined'] as const) {
      const pool = new PromptPool(criterion, decode);
      pool.update([1], 0.1, 0.5, 1, origin);
      pool.update([2], 0.9, 0.904, 1, origin);
      pool.update([3], 0.2, 0.9, 1, origin);
      const keys = pool.topkAll(3).map((e) => e.key);
      expect(keys).toEqual(criterion === 'acc' ? ['2', '3', '1'] : ['3', '2', '1']);
    }
  });
});

describe('PromptPool at its edges', () => {
  it("'loss' ignores accuracy: a lower loss ranks first even with a lower accuracy; ties go to the earlier", () => {
    const pool = new PromptPool('loss', decode);
    pool.update([1], 0.9, 1, 1, origin);
    pool.update([2], 0.4, 0, 1, origin);
    pool.update([3], 0.9, 1, 1, origin);
    expect(pool.topkAll(3).map((e) => e.key)).toEqual(['2', '1', '3']);
  });

  it("'acc' and 'combined' break an accuracy tie by loss, then by arrival", () => {
    for (const criterion of ['acc', 'combined'] as const) {
      const pool = new PromptPool(criterion, decode);
      pool.update([1], 0.9, 0.5, 1, origin);
      pool.update([2], 0.4, 0.5, 1, origin);
      pool.update([3], 0.9, 0.5, 1, origin);
      pool.update([4], 0.1, 0.2, 1, origin);
      expect(pool.topkAll(4).map((e) => e.key), criterion).toEqual(['2', '1', '3', '4']);
    }
  });

  it('compare() puts the earlier of two prompts with the same scores first, under every criterion', () => {
    for (const criterion of ['loss', 'acc', 'combined'] as const) {
      const pool = new PromptPool(criterion, decode);
      const a = pool.update([1], 0.5, 0.5, 1, origin);
      const b = pool.update([2], 0.5, 0.5, 1, origin);
      expect(pool.compare(a, b), criterion).toBeLessThan(0);
      expect(pool.compare(b, a), criterion).toBeGreaterThan(0);
    }
  });

  it("'combined' compares accuracy to two decimals: 0.904 and 0.9 tie, 0.906 is ahead", () => {
    const pool = new PromptPool('combined', decode);
    pool.update([1], 0.5, 0.9, 1, origin);
    pool.update([2], 0.1, 0.904, 1, origin);
    pool.update([3], 0.9, 0.906, 1, origin);
    expect(pool.topkAll(3).map((e) => e.key)).toEqual(['3', '2', '1']);
  });

  it('a filter that leaves some prompts keeps only those (padded with their repeats); an empty pool gives nothing', () => {
    const pool = new PromptPool('loss', decode);
    pool.update([1], 0.1, 0, 1, origin);
    pool.update([2], 0.5, 0, 1, origin);
    pool.update([2], 0.5, 0, 2, origin);
    const top = pool.topkDifferentStartToken(3, 1, SeededRandom.search(2));
    expect(top.map((e) => e.key)).toEqual(['2', '2', '2']);
    expect(new PromptPool('loss', decode).topkDifferentStartToken(3, 0, SeededRandom.search(2))).toEqual([]);
  });

  it('an unscored prompt has mean loss 10000 and accuracy 0, and keeps its first step and origin when scored later', () => {
    const pool = new PromptPool('loss', decode);
    const e = pool.add([5, 6], 0, { kind: 'initial' });
    expect([e.meanLoss, e.meanAccuracy, e.text, e.key]).toEqual([10000, 0, '5 6', '5,6']);
    pool.update([5, 6], 2, 1, 3, origin);
    expect(pool.get('5,6')).toMatchObject({ firstStep: 0, origin: { kind: 'initial' }, meanLoss: 2, losses: [2] });
    expect(pool.size).toBe(1);
    expect(pool.all().map((x) => x.key)).toEqual(['5,6']);
  });
});

describe('data preparation', () => {
  it('strips outputs like rstrip().rstrip(".")', () => {
    expect(stripOutputString(' 8.\n\n')).toBe(' 8');
    expect(stripOutputString(' 3/5..  ')).toBe(' 3/5');
  });

  it('builds n-shot rows of distinct examples, holds out a quarter, and plans the steps', () => {
    const o = resolveOptions({ n_shots: 3, max_n_datapoints: 50, batch_size: 16 });
    const inputs = Array.from({ length: 20 }, (_, i) => `in${i}`);
    const outputs = inputs.map((_, i) => ` out${i}.\n`);
    const d = prepareData(inputs, outputs, o, SeededRandom.search(1));
    expect(d.heldOut.length).toBe(5);
    expect(d.rows.length).toBe(50);
    const held = new Set(d.heldOut.map((e) => e.input));
    for (const r of d.rows) {
      const parts = r.text.split('\n\n');
      expect(parts.length).toBe(3);
      expect(new Set(parts).size).toBe(3);
      expect(parts.at(-1)).toBe(`${r.lastInput}${r.output}.`);
      expect(held.has(r.lastInput)).toBe(false);
      expect(r.input.endsWith(r.lastInput)).toBe(true);
    }
    // 50 rows / 16 = 4 batches per epoch (16, 16, 16, 2); 50 seen after the first epoch > 50? no: 50 is not > 50.
    expect(plannedSteps(50, o)).toBe(5);
    expect(epochBatches(50, 16, SeededRandom.search(2)).map((b) => b.length)).toEqual([16, 16, 16, 2]);
  });

  it('names the example with an empty input or output', () => {
    const o = resolveOptions();
    expect(() => prepareData(['a', ''], [' 1', ' 2'], o, SeededRandom.search(1))).toThrow(/Example 2: the input is empty/);
    expect(() => prepareData(['a', 'b'], [' 1', ' .\n'], o, SeededRandom.search(1))).toThrow(/Example 2: the output is empty/);
    expect(() => prepareData(['a'], [' 1', ' 2'], o, SeededRandom.search(1))).toThrow(/1 inputs but 2 outputs/);
  });
});
