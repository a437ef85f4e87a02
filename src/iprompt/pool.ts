/**
 * The prompt pool (`PrefixPool`, reference section 2.5): every prompt ever scored, with its loss
 * and accuracy on every batch, and top-k views for choosing the population.
 */
import type { PopCriterion } from './options.ts';
import type { SeededRandom } from '../util/random.ts';

export interface PoolEntry {
  ids: readonly number[];
  key: string;
  text: string;
  losses: number[];
  accuracies: number[];
  /** Mean over every batch it was scored on (10000 and 0 before the first, as in the reference). */
  meanLoss: number;
  meanAccuracy: number;
  /** Step on which it first entered the pool (0: the initial population). */
  firstStep: number;
  /** Order of arrival: the last tie-breaker. */
  order: number;
  /** How it was first made: its parent's key and the kept-prefix length, for mutations. */
  origin: Origin;
}

export interface PoolRecord {
  ids: number[];
  losses: number[];
  accuracies: number[];
  firstStep: number;
  origin: Origin;
}

export type Origin = { kind: 'initial' } | { kind: 'proposal' } | { kind: 'mutation'; parent: string; truncateAt: number };

export const keyOf = (ids: readonly number[]) => ids.join(',');

export class PromptPool {
  private readonly entries = new Map<string, PoolEntry>();

  constructor(
    private readonly criterion: PopCriterion,
    private readonly decode: (ids: readonly number[]) => string,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): PoolEntry | undefined {
    return this.entries.get(key);
  }

  all(): PoolEntry[] {
    return [...this.entries.values()];
  }

  /** Adds a prompt that has not been scored yet (the initial population). */
  add(ids: readonly number[], step: number, origin: Origin): PoolEntry {
    const key = keyOf(ids);
    let e = this.entries.get(key);
    if (!e) {
      e = { ids: [...ids], key, text: this.decode(ids), losses: [], accuracies: [], meanLoss: 10000, meanAccuracy: 0, firstStep: step, order: this.entries.size, origin };
      this.entries.set(key, e);
    }
    return e;
  }

  /** Every entry as plain data, in arrival order (a search checkpoint). */
  export(): PoolRecord[] {
    return this.all().map((e) => ({ ids: [...e.ids], losses: [...e.losses], accuracies: [...e.accuracies], firstStep: e.firstStep, origin: e.origin }));
  }

  /** Rebuilds entries from export(), in the same order, with the same means. */
  import(records: readonly PoolRecord[]): void {
    for (const r of records) {
      const e = this.add(r.ids, r.firstStep, r.origin);
      e.losses.push(...r.losses);
      e.accuracies.push(...r.accuracies);
      if (e.losses.length > 0) {
        e.meanLoss = mean(e.losses);
        e.meanAccuracy = mean(e.accuracies);
      }
    }
  }

  /** Records one batch's result; the means run over every batch the prompt was scored on. */
  update(ids: readonly number[], loss: number, accuracy: number, step: number, origin: Origin): PoolEntry {
    const e = this.add(ids, step, origin);
    e.losses.push(loss);
    e.accuracies.push(accuracy);
    e.meanLoss = mean(e.losses);
    e.meanAccuracy = mean(e.accuracies);
    return e;
  }

  /** The pool's ordering, smaller first: compare(a, b) < 0 when a ranks above b. */
  compare = (a: PoolEntry, b: PoolEntry): number => {
    switch (this.criterion) {
      case 'loss':
        return a.meanLoss - b.meanLoss || a.order - b.order;
      case 'acc':
        return b.meanAccuracy - a.meanAccuracy || a.meanLoss - b.meanLoss || a.order - b.order;
      case 'combined':
        return percent(b.meanAccuracy) - percent(a.meanAccuracy) || a.meanLoss - b.meanLoss || a.order - b.order;
    }
  };

  /**
   * The best k among `candidates`. With minOccurrences, only prompts scored on more than that
   * many batches count (strictly more, as in the reference).
   */
  private topFrom(candidates: PoolEntry[], k: number, minOccurrences: number): PoolEntry[] {
    const kept = minOccurrences > 0 ? candidates.filter((e) => e.losses.length > minOccurrences) : candidates;
    return kept.sort(this.compare).slice(0, k);
  }

  /** Plain top-k over every prompt. */
  topkAll(k: number, minOccurrences = 0): PoolEntry[] {
    return this.topFrom(this.all(), k, minOccurrences);
  }

  /**
   * Top-k over the best prompt of each distinct first token, for diversity. If the filter leaves
   * none, it is dropped; if fewer than k remain, random repeats pad the list to k.
   */
  topkDifferentStartToken(k: number, minOccurrences: number, rng: SeededRandom): PoolEntry[] {
    const best = new Map<number, PoolEntry>();
    for (const e of this.entries.values()) {
      const cur = best.get(e.ids[0]);
      if (!cur || this.compare(e, cur) < 0) best.set(e.ids[0], e);
    }
    const candidates = [...best.values()];
    let top = this.topFrom(candidates, k, minOccurrences);
    if (top.length === 0) top = this.topFrom(candidates, k, 0);
    const found = [...top];
    while (top.length < k && found.length > 0) top.push(rng.choice(found));
    return top.sort(this.compare);
  }
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** Accuracy to two decimals, as a whole percentage: comparing these compares round(x, 2). */
const percent = (x: number) => Math.round(x * 100);
