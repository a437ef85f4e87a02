import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.ts';
import { clearlyBetter, confidenceOf, indistinguishable, meanLoss, pairedDifference, percentileInterval, Resamples, type ExampleResults } from './stats.ts';

/** n examples of one token each whose NLL is drawn from {0.5, 1, 1.5, 2, 2.5} (true mean 1.5), correct when the NLL is below 1.2 (true rate 0.4). */
function draw(n: number, seed: number): { r: ExampleResults; tokens: number[] } {
  const next = mulberry32(seed);
  const nll = Array.from({ length: n }, () => 0.5 * (1 + Math.floor(next() * 5)));
  return { r: { nll, correct: nll.map((x) => x < 1.2) }, tokens: nll.map(() => 1) };
}

describe('percentile bootstrap', () => {
  it('percentileInterval interpolates between order statistics (hand-worked)', () => {
    const xs = Array.from({ length: 101 }, (_, i) => 100 - i); // 0..100, reversed
    const i = percentileInterval(xs);
    expect(i.low).toBeCloseTo(2.5, 12);
    expect(i.high).toBeCloseTo(97.5, 12);
    expect(percentileInterval([4, 1, 3, 2], 0.5)).toEqual({ low: 1.75, high: 3.25 });
    expect(percentileInterval([7])).toEqual({ low: 7, high: 7 });
  });

  it('the same seed and size give the same resamples; each index is in range', () => {
    const a = new Resamples(30, 5);
    expect(new Resamples(30, 5).indices).toEqual(a.indices);
    expect(new Resamples(30, 6).indices).not.toEqual(a.indices);
    expect(a.indices).toHaveLength(30 * 1000);
    expect(Math.max(...a.indices)).toBe(29);
    expect(Math.min(...a.indices)).toBe(0);
    expect(() => new Resamples(0, 1)).toThrow(RangeError);
  });

  it('the loss is token-weighted: summed NLL over summed tokens', () => {
    expect(meanLoss({ nll: [2, 9], correct: [true, false] }, [1, 3])).toBe(11 / 4);
    expect(meanLoss({ nll: [2, 9], correct: [true, false] }, [1, 3], [1, 1, 0])).toBe(20 / 7);
  });

  it('95% intervals cover the true mean about 95% of the time, and narrow as 1/sqrt(n)', () => {
    const trials = 300;
    let lossCover = 0;
    let accCover = 0;
    const width = (n: number) => {
      let w = 0;
      for (let t = 0; t < 40; t++) {
        const { r, tokens } = draw(n, 10_000 + t);
        const c = confidenceOf(r, tokens, new Resamples(n, t));
        w += c.lossInterval.high - c.lossInterval.low;
      }
      return w / 40;
    };
    for (let t = 0; t < trials; t++) {
      const { r, tokens } = draw(50, t);
      const c = confidenceOf(r, tokens, new Resamples(50, 1000 + t, 400));
      if (c.lossInterval.low <= 1.5 && 1.5 <= c.lossInterval.high) lossCover++;
      if (c.accuracyInterval.low <= 0.4 && 0.4 <= c.accuracyInterval.high) accCover++;
    }
    // Binomial(300, 0.95) stays within 0.90-0.99 with probability above 99.9%; the percentile
    // bootstrap runs slightly under its nominal level at n = 50.
    expect(lossCover / trials).toBeGreaterThan(0.9);
    expect(lossCover / trials).toBeLessThan(0.99);
    expect(accCover / trials).toBeGreaterThan(0.9);
    expect(accCover / trials).toBeLessThan(0.99);
    // Four times the examples: half the width (the standard error's 1/sqrt(n)).
    const ratio = width(200) / width(50);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.6);
  });

  it('paired over the same examples: identical prompts tie; a prompt right where the other is wrong is clearly better', () => {
    const { r, tokens } = draw(40, 3);
    const rs = new Resamples(40, 9);
    const same = pairedDifference(r, { nll: [...r.nll], correct: [...r.correct] }, tokens, rs);
    expect(same).toEqual({ accuracy: { low: 0, high: 0 }, lossGain: { low: 0, high: 0 } });
    expect(indistinguishable(same)).toBe(true);
    expect(clearlyBetter(same)).toBe(false);
    const perfect: ExampleResults = { nll: r.nll.map(() => 0.1), correct: r.nll.map(() => true) };
    const d = pairedDifference(perfect, r, tokens, rs);
    expect(d.accuracy.low).toBeGreaterThan(0);
    expect(d.lossGain.low).toBeGreaterThan(0);
    expect(indistinguishable(d)).toBe(false);
    expect(clearlyBetter(d)).toBe(true);
    expect(clearlyBetter(pairedDifference(r, perfect, tokens, rs))).toBe(false);
  });

  it('a consistently lower loss at the same accuracy is clearly better; a lower loss with a clearly lower accuracy is not', () => {
    const n = 30;
    const rs = new Resamples(n, 2);
    const tokens = Array.from({ length: n }, () => 1);
    const a: ExampleResults = { nll: tokens.map((_, i) => 1 + (i % 3) * 0.1), correct: tokens.map((_, i) => i % 2 === 0) };
    const lower: ExampleResults = { nll: a.nll.map((x) => x - 0.05), correct: [...a.correct] };
    expect(clearlyBetter(pairedDifference(lower, a, tokens, rs))).toBe(true);
    expect(indistinguishable(pairedDifference(lower, a, tokens, rs))).toBe(false);
    const lowerButWrong: ExampleResults = { nll: a.nll.map((x) => x - 0.05), correct: a.correct.map(() => false) };
    expect(clearlyBetter(pairedDifference(lowerButWrong, a, tokens, rs))).toBe(false);
  });
});
