/**
 * The search over the real engine and the shipped model: reproducible for a seed, and pausing
 * changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTask } from '../datasets/tasks/index.ts';
import { startSearch, type ExplainResult, type SearchEvent } from '../iprompt/index.ts';
import type { LoadedModel } from '../engine/loadModel.ts';
import { loadNodeModel } from '../engine/node/nodeModel.ts';
import { searchModelOf } from './searchModel.ts';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';

const options = { batch_size: 8, pop_size: 4, num_random_generations: 2, num_mutations: 2, max_n_steps: 2, n_eval: 8 };
const task = getTask('double_one');
const ex = task.generate(10, 5);

const comparable = (r: ExplainResult) => ({ prompts: r.prompts, ranked: r.metadata.ranked, baseline: r.metadata.baseline, losses: r.metadata.all_losses });

describe('search over the engine (shipped model, WASM in Node)', () => {
  let m: LoadedModel;
  beforeAll(async () => {
    m = await loadNodeModel(DEFAULT_MODEL, { dtype: 'q4' });
  });
  afterAll(() => m?.dispose());

  const run = (seed: number, onEvent?: (e: SearchEvent, pause: () => void, resume: () => void) => void) => {
    const handle = startSearch(searchModelOf(m.engine, m.tokenizer), ex.map((e) => e.input), ex.map((e) => e.output), { ...options, seed }, { onEvent: onEvent && ((e) => onEvent(e, () => handle.pause(), () => handle.resume())) });
    return handle.result;
  };

  it('decodes no tokens as the empty text (a mutation cut at 0 keeps none), and tokens as the tokenizer does', () => {
    const lm = searchModelOf(m.engine, m.tokenizer);
    expect(lm.decode([])).toBe('');
    const ids = m.tokenizer.encode(' Add the numbers');
    expect(lm.decode(ids)).toBe(m.tokenizer.decode(ids));
  });

  it('a search whose mutations are cut at 0 runs to the end (every step draws a cut in 0..T-1; T = 1 makes it 0)', async () => {
    const r = await startSearch(searchModelOf(m.engine, m.tokenizer), ex.map((e) => e.input), ex.map((e) => e.output), { ...options, num_learned_tokens: 1, seed: 3 }).result;
    expect(r.metadata.steps).toBe(3);
  });

  it('the same seed gives the same prompts, scores and ranking; another seed does not', async () => {
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(comparable(b)).toEqual(comparable(a));
    expect(c.metadata.ranked.map((p) => p.text)).not.toEqual(a.metadata.ranked.map((p) => p.text));
    expect(a.metadata.ranked.length).toBeGreaterThan(0);
    // Real proposals: 6 tokens each, no newlines.
    for (const p of a.metadata.ranked) {
      expect(p.ids.length).toBe(6);
      expect(p.text).not.toContain('\n');
    }
  });

  it('pausing between steps and resuming gives the same result', async () => {
    const plain = await run(13);
    let paused = false;
    const resumed = await run(13, (e, pause, resume) => {
      if (e.type === 'step' && e.step === 1) pause();
      if (e.type === 'paused') {
        paused = true;
        setTimeout(resume, 50);
      }
    });
    expect(paused).toBe(true);
    expect(comparable(resumed)).toEqual(comparable(plain));
  });
});
