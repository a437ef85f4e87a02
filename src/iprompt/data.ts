/**
 * Data preparation as in `run_iprompt_local` (reference section 2.1): outputs stripped of
 * trailing whitespace and periods, n-shot rows built for the proposal context, a held-out split
 * for the final ranking, and shuffled batches.
 */
import type { IPromptOptions } from './options.ts';
import type { SeededRandom } from '../util/random.ts';

/** One row the search steps over. */
export interface Datapoint {
  /** The proposal context's data: n_shots examples as `input output.`, joined by blank lines. */
  text: string;
  /** The scored input when single_shot_loss is off: the earlier examples run together, then the last input (the reference's missing separator kept). */
  input: string;
  /** The last example's input, scored when single_shot_loss is on (and the only one when n_shots = 1). */
  lastInput: string;
  /** The last example's output, stripped. */
  output: string;
}

export interface Example {
  input: string;
  output: string;
}

export interface PreparedData {
  /** Rows the search draws its batches from. */
  rows: Datapoint[];
  /** Examples never shown to the search: the final ranking and the baseline are measured on them. */
  heldOut: Example[];
  /** Examples the search may use (before n-shot expansion). */
  train: Example[];
  trainExamples: number;
  examples: number;
}

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** `' 8.\n\n'` -> `' 8'`: Python's `s.rstrip().rstrip('.')`. */
export function stripOutputString(s: string): string {
  return s.trimEnd().replace(/\.+$/, '');
}

export function prepareData(inputs: readonly string[], outputs: readonly string[], o: IPromptOptions, rng: SeededRandom): PreparedData {
  if (inputs.length !== outputs.length) throw new DataError(`There are ${inputs.length} inputs but ${outputs.length} outputs; every input needs one output.`);
  if (inputs.length === 0) throw new DataError('There are no examples.');
  const examples: Example[] = inputs.map((input, i) => {
    if (typeof input !== 'string' || typeof outputs[i] !== 'string') throw new DataError(`Example ${i + 1}: inputs and outputs must be text.`);
    if (input.trim() === '') throw new DataError(`Example ${i + 1}: the input is empty.`);
    const output = stripOutputString(outputs[i]);
    if (output.trim() === '') throw new DataError(`Example ${i + 1}: the output is empty once trailing spaces and periods are removed ("${outputs[i]}").`);
    return { input, output };
  });

  let train = examples;
  let heldOut: Example[] = [];
  if (o.do_final_reranking && o.held_out_fraction > 0 && examples.length >= 2) {
    const order = rng.shuffle(examples.map((_, i) => i));
    const n = Math.min(o.n_eval, Math.max(1, Math.round(examples.length * o.held_out_fraction)), examples.length - 1);
    const held = new Set(order.slice(0, n));
    heldOut = order.slice(0, n).map((i) => examples[i]);
    train = examples.filter((_, i) => !held.has(i));
  }

  const texts = train.map((e) => `${e.input}${e.output}.`);
  let rows: Datapoint[];
  if (o.n_shots > 1) {
    if (train.length < o.n_shots) throw new DataError(`n_shots is ${o.n_shots} but only ${train.length} examples are left for the search; lower n_shots or add examples.`);
    // As in the reference, max_n_datapoints n-shot rows, each of n_shots distinct examples.
    rows = [];
    const idx = train.map((_, i) => i);
    for (let r = 0; r < o.max_n_datapoints; r++) {
      const pick = rng.sample(idx, o.n_shots);
      const last = train[pick[pick.length - 1]];
      rows.push({
        text: pick.map((i) => texts[i]).join('\n\n'),
        input: pick.slice(0, -1).map((i) => texts[i]).join('') + last.input,
        lastInput: last.input,
        output: last.output,
      });
    }
  } else {
    rows = train.map((e, i) => ({ text: texts[i], input: e.input, lastInput: e.input, output: e.output }));
    if (o.max_n_datapoints < rows.length) rows = rng.sample(rows, o.max_n_datapoints);
  }
  if (rows.length === 0) throw new DataError('No rows to search over: max_n_datapoints is 0.');
  return { rows, heldOut, train, trainExamples: train.length, examples: examples.length };
}

/** One epoch's batches: row indices shuffled, then cut into batch_size pieces (the last may be short). */
export function epochBatches(nRows: number, batchSize: number, rng: SeededRandom): number[][] {
  const order = rng.shuffle(Array.from({ length: nRows }, (_, i) => i));
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/**
 * Steps the loop will run if nothing stops it early: it stops after the step on which the total
 * examples exceed max_n_datapoints or the step count exceeds max_n_steps, or after n_epochs.
 */
export function plannedSteps(nRows: number, o: IPromptOptions): number {
  const perEpoch = Math.ceil(nRows / o.batch_size);
  let steps = 0;
  let seen = 0;
  for (let e = 0; e < o.n_epochs; e++) {
    for (let b = 0; b < perEpoch; b++) {
      const size = b < perEpoch - 1 ? o.batch_size : nRows - o.batch_size * (perEpoch - 1);
      steps++;
      seen += size;
      if (seen > o.max_n_datapoints || steps > o.max_n_steps) return steps;
    }
  }
  return steps;
}
