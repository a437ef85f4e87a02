/**
 * Confidence for the explanations: seeded percentile bootstrap over the evaluation examples.
 * Every figure is resampled with the same index sets, so intervals of two prompts and of their
 * difference (paired) come from the same draws, and anything scored later on the same examples
 * (a person's own description) is compared on exactly the same resamples.
 */
import { SeededRandom } from '../util/random.ts';

/** Resamples drawn; with 1,000 the 2.5% and 97.5% percentiles move by well under a tenth of the interval's width between seeds. */
export const BOOTSTRAP_SAMPLES = 1000;
export const CONFIDENCE = 0.95;

export interface Interval {
  low: number;
  high: number;
}

/** One prompt's result on each evaluation example. */
export interface ExampleResults {
  /** Summed negative log-likelihood of each example's output tokens. */
  nll: readonly number[];
  correct: readonly boolean[];
}

/** `samples` resamples of `n` indices drawn with replacement, one stream per seed. */
export class Resamples {
  readonly indices: Uint32Array;

  constructor(
    readonly n: number,
    readonly seed: number,
    readonly samples = BOOTSTRAP_SAMPLES,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Resamples: need at least one example, got ${n}`);
    const rng = SeededRandom.search(seed);
    this.indices = new Uint32Array(samples * n);
    for (let i = 0; i < this.indices.length; i++) this.indices[i] = rng.int(n);
  }

  /** f evaluated on every resample (given that resample's indices). */
  map(f: (idx: Uint32Array) => number): Float64Array {
    const out = new Float64Array(this.samples);
    for (let s = 0; s < this.samples; s++) out[s] = f(this.indices.subarray(s * this.n, (s + 1) * this.n));
    return out;
  }
}

/** Token-weighted mean loss over the examples in `idx` (all of them when absent): summed NLL over summed tokens. */
export function meanLoss(r: ExampleResults, tokens: readonly number[], idx?: ArrayLike<number>): number {
  let nll = 0;
  let count = 0;
  const n = idx ? idx.length : r.nll.length;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    nll += r.nll[i];
    count += tokens[i];
  }
  return nll / count;
}

export function meanAccuracy(r: ExampleResults, idx?: ArrayLike<number>): number {
  let correct = 0;
  const n = idx ? idx.length : r.correct.length;
  for (let k = 0; k < n; k++) if (r.correct[idx ? idx[k] : k]) correct++;
  return correct / n;
}

/** The central CONFIDENCE share of the values (percentile method; linear interpolation between order statistics). */
export function percentileInterval(values: ArrayLike<number>, confidence = CONFIDENCE): Interval {
  const sorted = Float64Array.from(values).sort();
  const q = (p: number) => {
    const x = p * (sorted.length - 1);
    const lo = Math.floor(x);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
  };
  const tail = (1 - confidence) / 2;
  return { low: q(tail), high: q(1 - tail) };
}

export interface Confidence {
  lossInterval: Interval;
  accuracyInterval: Interval;
}

export function confidenceOf(r: ExampleResults, tokens: readonly number[], rs: Resamples): Confidence {
  return {
    lossInterval: percentileInterval(rs.map((idx) => meanLoss(r, tokens, idx))),
    accuracyInterval: percentileInterval(rs.map((idx) => meanAccuracy(r, idx))),
  };
}

export interface PairedDifference {
  /** a's accuracy minus b's, over the same resamples. */
  accuracy: Interval;
  /** b's loss minus a's (positive: a has the lower loss). */
  lossGain: Interval;
}

/** How a compares with b on the same examples: each difference's interval over the same resamples. */
export function pairedDifference(a: ExampleResults, b: ExampleResults, tokens: readonly number[], rs: Resamples): PairedDifference {
  return {
    accuracy: percentileInterval(rs.map((idx) => meanAccuracy(a, idx) - meanAccuracy(b, idx))),
    lossGain: percentileInterval(rs.map((idx) => meanLoss(b, tokens, idx) - meanLoss(a, tokens, idx))),
  };
}

const contains0 = (i: Interval) => i.low <= 0 && i.high >= 0;

/**
 * Whether a and b cannot be told apart under the ranking's order (accuracy, then loss): neither
 * the accuracy difference nor, failing that, the loss difference has an interval clear of zero.
 */
export function indistinguishable(d: PairedDifference): boolean {
  return contains0(d.accuracy) && contains0(d.lossGain);
}

/**
 * Whether a is better than b beyond the intervals: a higher accuracy clear of zero, or a lower
 * loss clear of zero with an accuracy that is not clearly lower.
 */
export function clearlyBetter(d: PairedDifference): boolean {
  return d.accuracy.low > 0 || (d.lossGain.low > 0 && d.accuracy.high >= 0);
}
