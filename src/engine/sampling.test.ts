import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';
import { logSoftmaxAt, sampleToken, type SamplingOptions } from './sampling.ts';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);

function frequencies(probs: number[], opts: SamplingOptions, n = 20000, seen = new Set<number>(), suppressed: number[] = []): number[] {
  const rng = new Rng(42);
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
    // Exactly reaching the mass keeps no more: 0.5 + 0.3 = 0.8.
    const g = frequencies([0.5, 0.3, 0.2], { top_k: 0, top_p: 0.8 });
    expect(g[2]).toBe(0);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const logits = Float32Array.from([2, -2, 1, 0.5]);
    const t = sampleToken(logits, new Set([0, 1]), { repetition_penalty: 2, temperature: 0 }, [], new Rng(1));
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
    const rng = new Rng(5);
    for (let i = 0; i < 10; i++) expect(sampleToken(Float32Array.from([0.1, 3, 2]), new Set(), { temperature: 0 }, [], rng)).toBe(1);
  });

  it('logSoftmaxAt is a normalised log-probability', () => {
    const l = Float32Array.from([1, 2, 3, 4]);
    const total = [0, 1, 2, 3].reduce((s, i) => s + Math.exp(logSoftmaxAt(l, 0, 4, i)), 0);
    expect(total).toBeCloseTo(1, 6);
    expect(logSoftmaxAt(l, 0, 4, 3)).toBeCloseTo(4 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4)), 6);
  });
});

describe('Rng', () => {
  it('is reproducible and seed-sensitive, with independent streams', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(7)));
    const b = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(7)));
    const c = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(8)));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(Rng.stream(7, 0).next()).not.toBe(Rng.stream(7, 1).next());
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
