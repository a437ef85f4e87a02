import { describe, expect, it } from 'vitest';
import { explainDataset } from './explain.ts';
import { resolveOptions } from './options.ts';
import { PRESETS } from './presets.ts';
import { startSearch, type SearchEvent } from './search.ts';
import { FakeModel, fakeWords } from './testing/fakeModel.ts';

const inputs = Array.from({ length: 40 }, (_, i) => `Given x${i} the answer is`);
const outputs = Array.from({ length: 40 }, (_, i) => ` y${i}`);
const model = () => new FakeModel({ words: [...fakeWords(40), 'sum'], target: 'sum' });

describe('presets', () => {
  it("'paper' is the paper's math configuration (reference section 6: n_shots 5, batch 64, P 8, M 4, R 4, 6 tokens, 5000 examples, early stopping 25)", () => {
    expect(resolveOptions(PRESETS.paper.options)).toMatchObject({
      n_shots: 5, batch_size: 64, pop_size: 8, num_mutations: 4, num_random_generations: 4, num_learned_tokens: 6,
      max_n_datapoints: 5000, early_stopping_steps: 25, generation_repetition_penalty: 2,
    });
  });

  it("'default' changes nothing", () => {
    expect(resolveOptions(PRESETS.default.options)).toEqual(resolveOptions());
  });

  it("'quick' ends after 31 steps of 16 examples, (4 + 4) x (1 + 2) candidates each, re-ranking at most 16", async () => {
    const events: SearchEvent[] = [];
    const { metadata } = await startSearch(model(), inputs, outputs, { ...PRESETS.quick.options, held_out_fraction: 0.2 }, { onEvent: (e) => events.push(e) }).result;
    expect(metadata.steps).toBe(31);
    expect(metadata.stopped_by).toBe('max_n_steps');
    expect(metadata.sizes.candidatesPerStep).toBe(24);
    expect(metadata.ranked.length).toBeLessThanOrEqual(16);
    const step = events.find((e) => e.type === 'step');
    expect(step?.type === 'step' && step.candidates.length).toBe(24);
  });
});

describe('explainDataset', () => {
  it('returns what startSearch returns for the same options, streaming the same events', async () => {
    const opts = { batch_size: 8, n_epochs: 2, pop_size: 3, num_random_generations: 2, num_mutations: 1, seed: 5 };
    const viaSearch: SearchEvent[] = [];
    const viaExplain: SearchEvent[] = [];
    const a = await startSearch(model(), inputs, outputs, opts, { onEvent: (e) => viaSearch.push(e) }).result;
    const b = await explainDataset(inputs, outputs, { ...opts, model: model(), onEvent: (e) => viaExplain.push(e) });
    expect(b.prompts).toEqual(a.prompts);
    expect(b.metadata.options).toEqual(a.metadata.options);
    expect(b.metadata.ranked).toEqual(a.metadata.ranked);
    expect(viaExplain.map((e) => e.type)).toEqual(viaSearch.map((e) => e.type));
    expect(b.metadata.options.seed).toBe(5);
  });

  it('passes the abort signal on to the model', async () => {
    const controller = new AbortController();
    controller.abort();
    const m = model();
    const score = m.score.bind(m);
    m.score = async (requests, o) => {
      if (o?.signal?.aborted) throw new Error('the model saw the abort');
      return score(requests, o);
    };
    await expect(explainDataset(inputs, outputs, { model: m, batch_size: 8, signal: controller.signal })).rejects.toThrow('the model saw the abort');
  });
});
