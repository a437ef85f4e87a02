/**
 * Next-token selection with Hugging Face `generate` semantics, applied in its order: repetition
 * penalty, banned tokens and end-of-sequence suppression (logits processors), then temperature,
 * top-k and top-p (warpers), then a draw from the softmax.
 */
import type { SeededRandom } from '../util/random.ts';

export interface SamplingOptions {
  /** Divide logits by this; 0 means greedy (argmax). Hugging Face default 1. */
  temperature?: number;
  /** Keep the k most likely tokens; 0 disables. Hugging Face default 50. */
  top_k?: number;
  /** Keep the smallest set whose probability reaches top_p; 1 disables. */
  top_p?: number;
  /** CTRL-style penalty on every token already in the sequence, context included; 1 disables. */
  repetition_penalty?: number;
  /** Token ids that are never produced. */
  banned_token_ids?: readonly number[];
}

/**
 * Picks the next token from `logits` (one row, modified in place). `seen` holds the ids of the
 * sequence so far for the repetition penalty; `suppressed` holds ids banned at this step only
 * (end-of-sequence before the length is reached).
 */
export function sampleToken(logits: Float32Array, seen: ReadonlySet<number>, opts: SamplingOptions, suppressed: readonly number[], rng: SeededRandom): number {
  // Ids outside the logits (a tokenizer's added tokens past the model's vocabulary) need no
  // check: a typed array ignores writes out of its range.
  const penalty = opts.repetition_penalty ?? 1;
  if (penalty !== 1) {
    for (const id of seen) {
      const v = logits[id];
      logits[id] = v < 0 ? v * penalty : v / penalty;
    }
  }
  for (const id of opts.banned_token_ids ?? []) logits[id] = -Infinity;
  for (const id of suppressed) logits[id] = -Infinity;

  const temperature = opts.temperature ?? 1;
  if (temperature <= 0) return argmax(logits);
  if (temperature !== 1) for (let i = 0; i < logits.length; i++) logits[i] /= temperature;

  // Candidates sorted by logit, descending; top-k first cuts the list, then top-p.
  const topK = opts.top_k ?? 50;
  const order = sortedIndices(logits, topK > 0 ? topK : logits.length);
  const max = logits[order[0]];
  const probs = new Float64Array(order.length);
  let sum = 0;
  for (let i = 0; i < order.length; i++) {
    const p = Math.exp(logits[order[i]] - max);
    probs[i] = p;
    sum += p;
  }
  let keep = order.length;
  const topP = opts.top_p ?? 1;
  if (topP < 1) {
    // Hugging Face removes tokens whose cumulative probability, summed from the least likely,
    // stays within 1 - top_p; equivalently keep the most likely ones until their mass exceeds top_p.
    let cum = 0;
    for (let i = 0; i < order.length; i++) {
      cum += probs[i] / sum;
      if (cum >= topP) {
        keep = i + 1;
        break;
      }
    }
  }
  let mass = 0;
  for (let i = 0; i < keep; i++) mass += probs[i];
  let u = rng.next() * mass;
  for (let i = 0; i < keep; i++) {
    u -= probs[i];
    if (u < 0) return order[i];
  }
  return order[keep - 1];
}

export function argmax(values: Float32Array, start = 0, end = values.length): number {
  let best = start;
  for (let i = start + 1; i < end; i++) if (values[i] > values[best]) best = i;
  return best - start;
}

/** Indices of the `k` largest finite-or-not values, largest first (ties: lower index first). */
function sortedIndices(values: Float32Array, k: number): number[] {
  const n = values.length;
  if (k >= n / 4) {
    const all = Array.from({ length: n }, (_, i) => i).filter((i) => values[i] !== -Infinity);
    all.sort((a, b) => values[b] - values[a] || a - b);
    return all.length ? all.slice(0, k) : [0];
  }
  // Partial selection: a small sorted buffer beats sorting a 150k vocabulary every step.
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === -Infinity) continue;
    if (top.length < k) {
      let j = top.length;
      top.push(i);
      while (j > 0 && values[top[j - 1]] < v) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = i;
    } else if (v > values[top[k - 1]]) {
      let j = k - 1;
      while (j > 0 && values[top[j - 1]] < v) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = i;
    }
  }
  return top.length ? top : [0];
}

/** log softmax(logits)[target], computed stably in float64. */
export function logSoftmaxAt(logits: Float32Array, start: number, length: number, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) if (logits[start + i] > max) max = logits[start + i];
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(logits[start + i] - max);
  return logits[start + target] - max - Math.log(sum);
}
