import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';
import { Prompter, sampleProposals } from './proposals.ts';
import { SeededRandom } from '../util/random.ts';
import { FakeModel, fakeWords } from './testing/fakeModel.ts';

const model = () => new FakeModel({ words: [...fakeWords(30), 'sum'], target: 'sum' });
const inputs = Array.from({ length: 12 }, (_, i) => `x${i} plus one`);
const outputs = Array.from({ length: 12 }, (_, i) => ` y${i}`);

/** The fake model's words for a token sequence, to compare contexts by eye. */
const words = (m: FakeModel, ids: readonly number[]) => m.decode(ids);

describe('Prompter', () => {
  it('cuts a long piece to max_length from the right, or from the left when asked, each side cached apart', () => {
    const m = model();
    const p = new Prompter(m, resolveOptions({ max_length: 3 }), SeededRandom.search(1), {});
    expect(words(m, p.enc('a b c d e'))).toBe('a b c');
    expect(words(m, p.enc('a b c d e', 'left'))).toBe(' c d e');
    expect(words(m, p.enc('a b c d e'))).toBe('a b c');
    expect(words(m, p.enc('a b c'))).toBe('a b c');
    expect(words(m, p.enc('a b c', 'left'))).toBe('a b c');
  });

  it('tokenizes each piece of text once', () => {
    const m = model();
    let calls = 0;
    const encode = m.encode.bind(m);
    m.encode = (text) => (calls++, encode(text));
    const p = new Prompter(m, resolveOptions(), SeededRandom.search(1), {});
    const before = calls;
    p.enc(' y1');
    p.enc(' y1');
    p.context({ text: 'x1 plus one y1', input: 'x1 plus one', lastInput: 'x1 plus one', output: ' y1' });
    p.context({ text: 'x1 plus one y1', input: 'x1 plus one', lastInput: 'x1 plus one', output: ' y1' });
    expect(calls - before).toBe(2);
  });

  it('builds Data: | the row | Prompt: with the preprefix after a space, and bans every newline token', () => {
    const m = model();
    const p = new Prompter(m, resolveOptions({ preprefix: '  Rule:' }), SeededRandom.search(1), {});
    const row = { text: 'x1 plus one y1', input: 'x1 plus one', lastInput: 'x1 plus one', output: ' y1' };
    expect(words(m, p.context(row))).toBe('Data:\n\nx1 plus one y1\n\nPrompt: Rule:');
    expect(p.banned.map((id) => m.decode([id]))).toEqual(['\n', '\n\n']);
    const plain = new Prompter(m, resolveOptions({ llm_candidate_regeneration_prompt_start: 'Rows:', llm_candidate_regeneration_prompt_end: 'Rule:' }), SeededRandom.search(1), {});
    expect(words(m, plain.context(row))).toBe('Rows:\n\nx1 plus one y1\n\nRule:');
  });

  it("hands the sampler the search's settings, a fresh seed per call and the caller's signal", async () => {
    const m = model();
    const signal = new AbortController().signal;
    const o = resolveOptions({ generation_temp: 0.7, generation_top_k: 5, generation_top_p: 0.9, generation_repetition_penalty: 1.3 });
    const p = new Prompter(m, o, SeededRandom.search(3), { signal });
    await p.propose([[1, 2]], 4);
    await p.propose([[1, 2]], 4);
    const [a, b] = m.generateCalls.map((c) => c.opts);
    expect(a).toMatchObject({ max_new_tokens: 4, temperature: 0.7, top_k: 5, top_p: 0.9, repetition_penalty: 1.3, banned_token_ids: p.banned, signal });
    // The seeds are the first two draws of the search's stream for seed 3.
    const rng = SeededRandom.search(3);
    expect([a.seed, b.seed]).toEqual([rng.seed(), rng.seed()]);
    expect(a.seed).not.toBe(b.seed);
  });
});

describe('sampleProposals (the suffix baseline)', () => {
  it('samples `count` prompts of num_learned_tokens tokens, each after the context of a data row', async () => {
    const m = model();
    const prompts = await sampleProposals(m, inputs, outputs, { num_learned_tokens: 3, seed: 9, held_out_fraction: 0 }, 5);
    expect(prompts).toHaveLength(5);
    expect(m.generateCalls).toHaveLength(1);
    const call = m.generateCalls[0];
    expect(call.opts.max_new_tokens).toBe(3);
    expect(call.contexts).toHaveLength(5);
    for (const [i, ctx] of call.contexts.entries()) {
      const text = m.decode(ctx);
      expect(text).toMatch(/^Data:\n\nx\d+ plus one y\d+\.\n\nPrompt:$/);
      // The prompt is the sampled continuation, decoded: three of the fake model's words.
      expect(prompts[i].trim().split(' ')).toHaveLength(3);
    }
    // Rows are drawn at random, not the first five in order.
    expect(new Set(call.contexts.map((c) => m.decode(c))).size).toBeGreaterThan(1);
  });

  it('the same seed gives the same prompts; another seed others', async () => {
    const a = await sampleProposals(model(), inputs, outputs, { seed: 1 }, 4);
    const b = await sampleProposals(model(), inputs, outputs, { seed: 1 }, 4);
    const c = await sampleProposals(model(), inputs, outputs, { seed: 2 }, 4);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('refuses bad options as the search does', async () => {
    await expect(sampleProposals(model(), inputs, outputs, { generation_temp: 0 }, 2)).rejects.toThrow('generation_temp must be above 0, got 0');
  });
});
