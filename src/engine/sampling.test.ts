import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../util/random.ts';
import { argmax, logSoftmaxAt, sampleToken, type SamplingOptions } from './sampling.ts';
import { bruteForceSample, keptDistribution } from '../test/bruteForceSampler.ts';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);

function frequencies(probs: number[], opts: SamplingOptions, n = 20000, seen = new Set<number>(), suppressed: number[] = []): number[] {
  const rng = SeededRandom.sampler(42);
  const counts = new Array(probs.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleToken(logitsOf(probs), seen, opts, suppressed, rng)]++;
  return counts.map((c) => c / n);
}

describe('sampleToken (Hugging Face semantics)', () => {
  it('samples from the softmax when no warper applies', () => {
    const f = frequencies([0.5, 0.3, 0.15, 0.05], { top_k: 0, top_p: 1 });
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) => expect(Math.abs(f[i] - p)).toBeLessThan(0.015));
  });

  it('temperature sharpens: T=0.5 squares the odds', () => {
    const f = frequencies([0.6, 0.4], { temperature: 0.5, top_k: 0 });
    expect(Math.abs(f[0] - 0.36 / 0.52)).toBeLessThan(0.015);
  });

  it('top_k keeps only the k most likely', () => {
    const f = frequencies([0.1, 0.4, 0.2, 0.3], { top_k: 2 });
    expect(f[0]).toBe(0);
    expect(f[2]).toBe(0);
    expect(Math.abs(f[1] - 4 / 7)).toBeLessThan(0.015);
  });

  it('top_p keeps the smallest most-likely set whose mass reaches top_p', () => {
    // 0.5 < 0.7, 0.5 + 0.3 >= 0.7: keep two tokens, renormalised 5:3.
    const f = frequencies([0.5, 0.3, 0.15, 0.05], { top_k: 0, top_p: 0.7 });
    expect(f[2] + f[3]).toBe(0);
    expect(Math.abs(f[0] - 0.625)).toBeLessThan(0.015);
  });

  it('top_p: a prefix whose mass is exactly top_p is kept, and nothing more', () => {
    // Four equal logits: every probability is exactly 0.25 in binary, so the first two reach 0.5
    // exactly (log-probabilities of 0.5 and 0.3 in float32 would not sum to 0.8 exactly).
    const rng = SeededRandom.sampler(3);
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const t = sampleToken(new Float32Array(4), new Set(), { top_k: 0, top_p: 0.5 }, [], rng);
      expect(t).toBeLessThan(2);
      seen.add(t);
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const logits = Float32Array.from([2, -2, 1, 0.5]);
    const t = sampleToken(logits, new Set([0, 1]), { repetition_penalty: 2, temperature: 0 }, [], SeededRandom.sampler(1));
    expect(Array.from(logits)).toEqual([1, -4, 1, 0.5]);
    expect(t).toBe(0); // tie at 1: the lower id wins, as torch.argmax does
  });

  it('banned and suppressed ids are never drawn', () => {
    const f = frequencies([0.4, 0.3, 0.2, 0.1], { top_k: 0, banned_token_ids: [0] }, 5000, new Set(), [2]);
    expect(f[0]).toBe(0);
    expect(f[2]).toBe(0);
    expect(f[1] + f[3]).toBeCloseTo(1, 10);
  });

  it('temperature 0 is greedy', () => {
    const rng = SeededRandom.sampler(5);
    for (let i = 0; i < 10; i++) expect(sampleToken(Float32Array.from([0.1, 3, 2]), new Set(), { temperature: 0 }, [], rng)).toBe(1);
  });

  it('logSoftmaxAt is a normalised log-probability', () => {
    const l = Float32Array.from([1, 2, 3, 4]);
    const total = [0, 1, 2, 3].reduce((s, i) => s + Math.exp(logSoftmaxAt(l, 0, 4, i)), 0);
    expect(total).toBeCloseTo(1, 6);
    expect(logSoftmaxAt(l, 0, 4, 3)).toBeCloseTo(4 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4)), 6);
  });
});

describe('sampleToken at a real vocabulary size, against the brute-force sampler', () => {
  // GPT-2's vocabulary size; under mutation testing (instrumented code runs far slower) a smaller
  // one that still takes the partial top-k path.
  const V = process.env.MUTATION_RUN ? 2_003 : 50_257;
  const randomLogits = (seed: number) => {
    const r = SeededRandom.sampler(seed);
    // A spread like a real model's: most tokens far down, a few near the top, some exact ties.
    return Float32Array.from({ length: V }, (_, i) => (i % 997 === 0 ? 4 : r.next() * 8 - 6 + (r.next() < 0.001 ? 6 : 0)));
  };
  const settings = [
    { temperature: 1, top_k: 50, top_p: 1, repetition_penalty: 1 },
    { temperature: 0.7, top_k: 0, top_p: 0.9, repetition_penalty: 1 },
    { temperature: 1.3, top_k: 40, top_p: 0.5, repetition_penalty: 2 },
    { temperature: 1, top_k: 1, top_p: 1, repetition_penalty: 1.1 },
    { temperature: 2, top_k: 12_000, top_p: 0.95, repetition_penalty: 1.5 },
    { temperature: 0, top_k: 50, top_p: 1, repetition_penalty: 2 },
  ];
  it.each(settings)('draws the same token for 12 seeds, settings %#', (o) => {
    for (let seed = 0; seed < 12; seed++) {
      const logits = randomLogits(seed);
      const seen = new Set([0, 997, 5, 123, V - 7, (seed * 31) % V]);
      const banned = [1994, 7];
      const suppressed = [V - 12];
      const u = SeededRandom.sampler(seed + 1000).next();
      const want = bruteForceSample(logits, seen, { ...o, banned, suppressed }, u);
      const fixed = { next: () => u } as unknown as SeededRandom;
      const got = sampleToken(Float32Array.from(logits), seen, { ...o, banned_token_ids: banned }, suppressed, fixed);
      expect(got, `seed ${seed}`).toBe(want);
    }
  });

  it('keeps exactly the brute-force set under top-k and top-p, each token owning its slice of u', () => {
    const logits = randomLogits(5);
    const o = { temperature: 1, top_k: 30, top_p: 0.8, repetition_penalty: 1 };
    const { ids, weights } = keptDistribution(logits, new Set(), { ...o, banned: [], suppressed: [] });
    expect(ids.length).toBeGreaterThan(1);
    expect(ids.length).toBeLessThan(30);
    const total = weights.reduce((a, b) => a + b, 0);
    let before = 0;
    ids.forEach((id, i) => {
      // The middle of token i's interval of u draws token i.
      const u = (before + weights[i] / 2) / total;
      expect(sampleToken(Float32Array.from(logits), new Set(), o, [], { next: () => u } as unknown as SeededRandom)).toBe(id);
      before += weights[i];
    });
  });
});

describe('SeededRandom', () => {
  it('is reproducible and seed-sensitive, with independent streams', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.next())(SeededRandom.sampler(7)));
    const b = Array.from({ length: 5 }, ((r) => () => r.next())(SeededRandom.sampler(7)));
    const c = Array.from({ length: 5 }, ((r) => () => r.next())(SeededRandom.sampler(8)));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(SeededRandom.stream(7, 0).next()).not.toBe(SeededRandom.stream(7, 1).next());
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('sampleToken at its edges', () => {
  /** A fixed draw u in [0, 1). */
  const at = (u: number) => ({ next: () => u }) as unknown as SeededRandom;
  const draw = (logits: number[] | Float32Array, o: SamplingOptions, u: number, seen = new Set<number>(), suppressed: number[] = []) => sampleToken(Float32Array.from(logits), seen, o, suppressed, at(u));

  it('ignores ids outside the vocabulary in the seen, banned and suppressed lists', () => {
    const base = [0.5, -1, 2, 1];
    const o = { top_k: 0, repetition_penalty: 2, banned_token_ids: [1] };
    for (const u of [0.01, 0.3, 0.6, 0.99]) {
      const clean = Float32Array.from(base);
      const noisy = Float32Array.from(base);
      const a = sampleToken(clean, new Set([0, 2]), o, [3], at(u));
      const b = sampleToken(noisy, new Set([0, 2, -1, 4, 99]), { ...o, banned_token_ids: [1, -3, 4, 1e6] }, [3, -1, 7], at(u));
      expect(b).toBe(a);
      expect(Array.from(noisy)).toEqual(Array.from(clean));
    }
    // And the in-range ones are applied: 0.5 / 2, banned, untouched, untouched.
    const l = Float32Array.from(base);
    sampleToken(l, new Set([0, 99]), o, [], at(0.5));
    expect(Array.from(l)).toEqual([0.25, -Infinity, 2, 1]);
  });

  it('stays exact for logits in the hundreds (softmax shifted by the maximum, no overflow)', () => {
    // Weights 1, e^-0.5, e^-2: the middle of each slice of u draws that token.
    const logits = [398, 400, 399.5];
    const w = [Math.exp(-2), 1, Math.exp(-0.5)];
    const order = [1, 2, 0];
    const total = w[0] + w[1] + w[2];
    let before = 0;
    for (const id of order) {
      expect(draw(logits, { top_k: 0 }, (before + w[id] / 2) / total)).toBe(id);
      expect(draw(logits, { top_k: 0 }, (before + w[id] * 0.999) / total)).toBe(id);
      before += w[id];
    }
  });

  it('breaks ties at the top-k cut by the lower id, on the full-sort path and the partial one', () => {
    // Full sort (k >= V / 4): ids 1, 2, 3 tie; top-2 keeps 1 and 2, each half of u.
    expect([0.2, 0.7, 0.999].map((u) => draw([1, 3, 3, 3], { top_k: 2 }, u))).toEqual([1, 2, 2]);
    // Partial selection (k < V / 4): 400 tokens, 100, 200 and 300 tie at the top.
    const many = new Float32Array(400).fill(-5);
    many[100] = many[200] = many[300] = 3;
    expect([0.2, 0.7, 0.999].map((u) => draw(many, { top_k: 2 }, u))).toEqual([100, 200, 200]);
    // Ties among the first k tokens, met while the buffer is still filling.
    const early = new Float32Array(400).fill(-5);
    early[0] = early[1] = 3;
    expect([0.2, 0.7].map((u) => draw(early, { top_k: 2 }, u))).toEqual([0, 1]);
    many[50] = 3;
    expect([0.1, 0.5, 0.9].map((u) => draw(many, { top_k: 3 }, u))).toEqual([50, 100, 200]);
  });

  it('keeps exactly the top k on the partial path: each kept token owns its slice, u at the very top draws the k-th', () => {
    const V = 2003;
    const r = SeededRandom.sampler(17);
    const logits = Float32Array.from({ length: V }, () => r.next() * 10 - 5);
    const o = { temperature: 1, top_k: 30, top_p: 1, repetition_penalty: 1 };
    const { ids, weights } = keptDistribution(logits, new Set(), { ...o, banned: [], suppressed: [] });
    expect(ids).toHaveLength(30);
    const total = weights.reduce((a, b) => a + b, 0);
    let before = 0;
    ids.forEach((id, i) => {
      expect(draw(logits, o, (before + weights[i] * 0.5) / total)).toBe(id);
      expect(draw(logits, o, (before + weights[i] * 0.999) / total)).toBe(id);
      before += weights[i];
    });
    expect(draw(logits, o, 1 - 1e-12)).toBe(ids[29]);
    // A draw at 1 (outside [0, 1), a rounding guard) still gives the last kept token, not one beyond.
    expect(draw(logits, o, 1)).toBe(ids[29]);
  });

  it('with fewer finite tokens than k, only those are drawn; with none, token 0', () => {
    const V = 400;
    const banned = Array.from({ length: V }, (_, i) => i).filter((i) => i !== 10 && i !== 20 && i !== 30);
    const logits = new Float32Array(V).fill(1);
    logits[20] = 2;
    const seen = new Set<number>();
    for (let u = 0; u < 1; u += 0.05) seen.add(draw(logits, { top_k: 50, banned_token_ids: banned }, u));
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 20, 30]);
    const all = Array.from({ length: V }, (_, i) => i);
    expect(draw(logits, { top_k: 50, banned_token_ids: all }, 0.5)).toBe(0);
    expect(draw(logits, { top_k: 0, banned_token_ids: all }, 0.5)).toBe(0);
  });
});

describe('argmax and logSoftmaxAt over one row of a batch', () => {
  it('argmax looks only inside [start, end) and answers relative to start, the first of equals winning', () => {
    const v = Float32Array.from([9, 1, 5, 5, 2, 9]);
    expect(argmax(v, 1, 5)).toBe(1);
    expect(argmax(v, 2, 4)).toBe(0);
    expect(argmax(v, 4, 6)).toBe(1);
    expect(argmax(v)).toBe(0);
  });

  it('logSoftmaxAt reads only its row, stays exact for large logits, whatever the neighbours hold', () => {
    // Rows of three: [0, 2000, 0] | [1000, 999, 0] | [3000, 0, 0].
    const v = Float32Array.from([0, 2000, 0, 1000, 999, 0, 3000, 0, 0]);
    const lse = 1000 + Math.log(1 + Math.exp(-1) + Math.exp(-1000));
    expect(logSoftmaxAt(v, 3, 3, 0)).toBeCloseTo(1000 - lse, 9);
    expect(logSoftmaxAt(v, 3, 3, 1)).toBeCloseTo(999 - lse, 9);
    expect(logSoftmaxAt(v, 3, 3, 2)).toBeCloseTo(-lse, 6);
  });
});
