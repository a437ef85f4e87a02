/**
 * `get_add_two_numbers_dataset` of imodelsx (`imodelsx/iprompt/data.py`, reference section 1.3),
 * reproduced exactly: the 100 rows of `add_two.csv` (every pair a, b in 0..9, in the file's own
 * shuffled order), with the outputs as the loader returns them (quotes removed, literal '\\n'
 * turned into newlines): 'Given the input numbers 8 and 0, the answer is' -> ' 8.\n\n'.
 */
import { createRng } from '../../util/random.ts';

/** The (a, b) digits of add_two.csv, row by row ("80" is row 1: 8 and 0). */
const ADD_TWO_CSV_DIGITS =
  '8084338193173682696592395652513231447810' +
  '0273976219359427463867995495884048592334' +
  '8653771583414591269843552404584921870374' +
  '3066704247890860009057226163079613688514' +
  '2928111820502506717601166479057509721237';

/** The pairs of add_two.csv in file order. */
export const ADD_TWO_CSV_PAIRS: readonly (readonly [number, number])[] = Object.freeze(
  Array.from({ length: ADD_TWO_CSV_DIGITS.length / 2 }, (_, i) => [
    Number(ADD_TWO_CSV_DIGITS[2 * i]),
    Number(ADD_TWO_CSV_DIGITS[2 * i + 1]),
  ] as const),
);

/**
 * `numExamples` as in the reference: undefined gives all 100 rows in file order; a number n
 * gives `df.sample(n=n)`: n distinct rows in random order, unseeded (pass `seed` to make it
 * reproducible, an addition of ours). Like pandas, n must be an integer in 0..100.
 */
export function getAddTwoNumbersDataset(
  numExamples?: number,
  seed?: number,
): { inputs: string[]; outputs: string[] } {
  let pairs: readonly (readonly [number, number])[] = ADD_TWO_CSV_PAIRS;
  if (numExamples !== undefined) {
    if (!Number.isInteger(numExamples) || numExamples < 0 || numExamples > pairs.length) {
      throw new RangeError(
        `numExamples must be an integer in 0..${pairs.length} (sampling is without replacement), got ${numExamples}`,
      );
    }
    const rng =
      seed === undefined
        ? { int: (n: number) => Math.floor(Math.random() * n) }
        : createRng(seed, 'get_add_two_numbers_dataset');
    // Partial Fisher-Yates: the first numExamples slots end up a uniform random sample, in random order.
    const shuffled = pairs.slice();
    for (let i = 0; i < numExamples; i++) {
      const j = i + rng.int(shuffled.length - i);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    pairs = shuffled.slice(0, numExamples);
  }
  return {
    inputs: pairs.map(([a, b]) => `Given the input numbers ${a} and ${b}, the answer is`),
    // The trailing '.\n\n' is the reference's; its search strips it before scoring.
    outputs: pairs.map(([a, b]) => ` ${a + b}.\n\n`),
  };
}
