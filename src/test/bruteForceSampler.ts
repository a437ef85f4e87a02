/**
 * Hugging Face's sampling rules written the slow, obvious way, as an oracle for
 * src/engine/sampling.ts: float64 throughout, the whole vocabulary sorted every time, each rule a
 * separate pass. The draw convention is the engine's documented one (a uniform u in [0, 1) times the
 * kept mass, walked down the kept tokens from the most likely; ties by lower id).
 */
export interface BruteOptions {
  temperature: number;
  top_k: number;
  top_p: number;
  repetition_penalty: number;
  banned: readonly number[];
  suppressed: readonly number[];
}

/** The kept tokens, most likely first, with their unnormalised probabilities. */
export function keptDistribution(logits: ArrayLike<number>, seen: ReadonlySet<number>, o: BruteOptions): { ids: number[]; weights: number[] } {
  const x = Array.from(logits, Number);
  for (const id of seen) x[id] = x[id] < 0 ? x[id] * o.repetition_penalty : x[id] / o.repetition_penalty;
  for (const id of [...o.banned, ...o.suppressed]) x[id] = -Infinity;
  const scaled = x.map((v) => v / o.temperature);
  const ids = scaled.map((_, i) => i).filter((i) => scaled[i] !== -Infinity);
  ids.sort((a, b) => scaled[b] - scaled[a] || a - b);
  const afterK = o.top_k > 0 ? ids.slice(0, o.top_k) : ids;
  const max = scaled[afterK[0]];
  const weights = afterK.map((i) => Math.exp(scaled[i] - max));
  const total = weights.reduce((s, w) => s + w, 0);
  let keep = afterK.length;
  if (o.top_p < 1) {
    // The smallest most-likely prefix whose normalised mass reaches top_p.
    let mass = 0;
    for (let n = 1; n <= afterK.length; n++) {
      mass += weights[n - 1];
      if (mass / total >= o.top_p) {
        keep = n;
        break;
      }
    }
  }
  return { ids: afterK.slice(0, keep), weights: weights.slice(0, keep) };
}

export function bruteForceSample(logits: ArrayLike<number>, seen: ReadonlySet<number>, o: BruteOptions, u: number): number {
  if (o.temperature <= 0) {
    const x = Array.from(logits, Number);
    for (const id of seen) x[id] = x[id] < 0 ? x[id] * o.repetition_penalty : x[id] / o.repetition_penalty;
    for (const id of [...o.banned, ...o.suppressed]) x[id] = -Infinity;
    let best = 0;
    for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
    return best;
  }
  const { ids, weights } = keptDistribution(logits, seen, o);
  let left = u * weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < ids.length; i++) {
    left -= weights[i];
    if (left < 0) return ids[i];
  }
  return ids[ids.length - 1];
}
