/**
 * Running a search as a user drives it: its state through pause, resume and stop, the clock it
 * reports (on a fake clock that only the model's calls move), and the settings that change what
 * the model is asked.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScoreOptions } from './languageModel.ts';
import type { IPromptOptionsInput } from './options.ts';
import { startSearch, type RunState, type SearchEvent, type SearchRun, type StepEvent } from './search.ts';
import { FakeModel, fakeWords } from './testing/fakeModel.ts';

const inputs = Array.from({ length: 40 }, (_, i) => `Given x${i} the answer is`);
const outputs = Array.from({ length: 40 }, (_, i) => ` y${i % 3} z`);
const small: IPromptOptionsInput = { batch_size: 8, n_epochs: 2, pop_size: 4, num_random_generations: 2, num_mutations: 2, seed: 7 };
const model = () => new FakeModel({ words: [...fakeWords(30), 'sum'], target: 'sum' });

function drive(opts: IPromptOptionsInput, onEvent: (e: SearchEvent, h: SearchRun) => void, m = model()) {
  const events: SearchEvent[] = [];
  const handle: SearchRun = startSearch(m, inputs, outputs, { ...small, ...opts }, {
    onEvent: (e) => {
      events.push(e);
      // 'start' comes from inside startSearch, before there is a handle to pass.
      if (e.type !== 'start') onEvent(e, handle);
    },
  });
  return { handle, events, m };
}
const types = (events: SearchEvent[]) => events.map((e) => e.type);

describe('a run and its state', () => {
  it('pause, then the next step waits paused; resume goes on; states in order', async () => {
    const states: RunState[] = [];
    const { handle, events } = drive({}, (e, h) => {
      if (e.type === 'step' && e.step === 2) {
        h.pause();
        states.push(h.state);
        h.pause();
        states.push(h.state);
      }
      if (e.type === 'paused') {
        states.push(h.state);
        setTimeout(() => {
          h.resume();
          states.push(h.state);
          h.resume();
          states.push(h.state);
        }, 0);
      }
    });
    const r = await handle.result;
    expect(states).toEqual(['pausing', 'pausing', 'paused', 'running', 'running']);
    expect(handle.state).toBe('done');
    expect(r.metadata.steps).toBe(8);
    const t = types(events);
    expect(t.indexOf('paused')).toBe(t.indexOf('resumed') - 1);
    expect(events.find((e) => e.type === 'paused')).toEqual({ type: 'paused', step: 2 });
    expect(events.find((e) => e.type === 'resumed')).toEqual({ type: 'resumed', step: 2 });
  });

  it('resume or stop from inside the paused event itself is not lost', async () => {
    const resumed = drive({}, (e, h) => {
      if (e.type === 'step' && e.step === 2) h.pause();
      if (e.type === 'paused') h.resume();
    });
    expect((await resumed.handle.result).metadata.steps).toBe(8);
    expect(types(resumed.events)).toContain('resumed');
    const stopped = drive({}, (e, h) => {
      if (e.type === 'step' && e.step === 2) h.pause();
      if (e.type === 'paused') h.stop();
    });
    expect((await stopped.handle.result).metadata).toMatchObject({ steps: 2, stopped_by: 'stopped' });
  });

  it('resume before the pause takes effect cancels it: no paused event', async () => {
    const states: RunState[] = [];
    const { handle, events } = drive({}, (e, h) => {
      if (e.type === 'step' && e.step === 2) {
        h.pause();
        h.resume();
        states.push(h.state);
      }
    });
    await handle.result;
    expect(states).toEqual(['running']);
    expect(types(events)).not.toContain('paused');
    expect(types(events)).not.toContain('resumed');
  });

  it('stop while paused wakes the run and ends it, with no resumed event', async () => {
    const states: RunState[] = [];
    const { handle, events } = drive({ n_epochs: 50 }, (e, h) => {
      if (e.type === 'step' && e.step === 3) h.pause();
      if (e.type === 'paused')
        setTimeout(() => {
          h.stop();
          states.push(h.state);
        }, 0);
    });
    const r = await handle.result;
    expect(states).toEqual(['stopping']);
    expect(r.metadata).toMatchObject({ steps: 3, stopped_by: 'stopped' });
    expect(types(events)).not.toContain('resumed');
    expect(handle.state).toBe('done');
  });

  it('a pause, resume or stop after the end changes nothing; stop during the ranking keeps it ranking', async () => {
    const seen: RunState[] = [];
    const { handle } = drive({}, (e, h) => {
      if (e.type === 'ranking' && e.done === 0 && e.phase === 'rerank') {
        seen.push(h.state);
        h.pause();
        seen.push(h.state);
      }
    });
    const r = await handle.result;
    expect(seen).toEqual(['ranking', 'ranking']);
    for (const act of ['pause', 'resume', 'stop'] as const) {
      handle[act]();
      expect(handle.state).toBe('done');
    }
    expect(r.metadata.ranking).toBe('held_out');
  });

  it('a stop when the ranking starts still ranks the first group, and says so when groups were left', async () => {
    const many = Array.from({ length: 400 }, (_, i) => i);
    const m = model();
    const events: SearchEvent[] = [];
    const handle: SearchRun = startSearch(m, many.map((i) => `Given x${i} is`), many.map((i) => ` y${i % 5}`), { ...small, n_epochs: 1, final_rerank_min_batches: 1 }, {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step' && e.step === 4) handle.stop();
        if (e.type === 'ranking' && e.done === 0) {
          handle.stop();
          expect(handle.state).toBe('ranking');
        }
      },
    });
    const r = await handle.result;
    // 100 held-out examples: groups of 20 prompts.
    expect(r.metadata.ranked).toHaveLength(20);
    expect(r.metadata.ranking).toBe('partial');
    expect(r.metadata.stopped_by).toBe('stopped');
  });

  it('a run that failed stays failed whatever is asked of it', async () => {
    const m = model();
    m.score = async () => {
      throw new Error('the model broke');
    };
    const handle = startSearch(m, inputs, outputs, small);
    await expect(handle.result).rejects.toThrow('the model broke');
    for (const act of ['stop', 'pause', 'resume'] as const) {
      handle[act]();
      expect(handle.state).toBe('failed');
    }
  });

  it('a stop before the first step ends with no prompts, ranked by running means', async () => {
    const m = model();
    const handle = startSearch(m, inputs, outputs, small);
    handle.stop();
    expect(handle.state).toBe('stopping');
    const r = await handle.result;
    expect(r.prompts).toEqual([]);
    expect(r.metadata).toMatchObject({ steps: 0, stopped_by: 'stopped', ranking: 'running_means' });
    expect(r.metadata.baseline?.examples).toBe(10);
  });

  it('a stop queued as a task (a worker message, Ctrl-C) gets in before the next step even when the model answers at once', async () => {
    const handle = startSearch(model(), inputs, outputs, { ...small, n_epochs: 50 });
    setTimeout(() => handle.stop(), 0);
    const r = await handle.result;
    expect(r.metadata.steps).toBe(1);
  });
});

describe('the clock a run reports', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts only the time inside steps and the ranking: 250 ms per scoring call on a fake clock', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const m = model();
    const score = m.score.bind(m);
    m.score = async (requests, o) => {
      vi.advanceTimersByTime(250);
      return score(requests, o);
    };
    let pausedAt = -1;
    const { handle, events } = drive(
      {},
      (e, h) => {
        if (e.type === 'step' && e.step === 3) h.pause();
        if (e.type === 'paused') {
          pausedAt = performance.now();
          // Time spent paused is not search time.
          vi.advanceTimersByTime(10_000);
          setTimeout(() => h.resume(), 0);
        }
      },
      m,
    );
    const r = await handle.result;
    expect(pausedAt).toBeGreaterThan(0);
    const steps = events.filter((e): e is StepEvent => e.type === 'step');
    expect(steps.map((s) => s.elapsedMs)).toEqual([250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
    for (const s of steps) expect(s.tokensPerSecond).toBeCloseTo((s.tokens / s.elapsedMs) * 1000, 9);
    expect(r.metadata.train_time_elapsed).toBe(2);
    // The baseline, one ranking group, and one call for the shorter wordings of the top prompts: three calls.
    expect(r.metadata.rank_time_elapsed).toBe(0.75);
  });

  it('reports 0 tokens per second, not infinity, when no time has passed', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { handle, events } = drive({ n_epochs: 1 }, () => {});
    const r = await handle.result;
    const steps = events.filter((e): e is StepEvent => e.type === 'step');
    for (const s of steps) expect([s.elapsedMs, s.tokensPerSecond]).toEqual([0, 0]);
    expect(r.metadata.train_time_elapsed).toBe(0);
  });
});

describe('settings that change what the model is asked', () => {
  function recording() {
    const m = model();
    const opts: (ScoreOptions | undefined)[] = [];
    const score = m.score.bind(m);
    m.score = (requests, o) => (opts.push(o), score(requests, o));
    return { m, opts };
  }

  it('mask_possible_answers gives every scoring call, the baseline too, the sorted first tokens of the outputs; off, none', async () => {
    const on = recording();
    // Give the output tokens ids in the opposite order to the one the data first shows them in.
    for (const w of [' y2', ' y1', ' y0']) on.m.encode(w);
    await drive({ mask_possible_answers: true, n_epochs: 1 }, () => {}, on.m).handle.result;
    const firsts = [' y2', ' y0', ' y1'].map((w) => on.m.encode(w)[0]).sort((a, b) => a - b);
    for (const o of on.opts) expect(o?.firstTokenChoices).toEqual(firsts);
    const off = recording();
    await drive({ n_epochs: 1 }, () => {}, off.m).handle.result;
    for (const o of off.opts) expect(o?.firstTokenChoices).toBeUndefined();
  });

  it('with no fresh proposals and no mutations, each step scores just the population, with no empty model call', async () => {
    const { handle, events, m } = drive({ num_random_generations: 0, num_mutations: 0, n_epochs: 1 }, () => {});
    await handle.result;
    const steps = events.filter((e): e is StepEvent => e.type === 'step');
    for (const s of steps) expect(s.candidates.map((c) => c.kind)).toEqual(['population', 'population', 'population', 'population']);
    for (const c of m.generateCalls) expect(c.contexts.length).toBeGreaterThan(0);
  });

  it('no fresh proposals but mutations: the population and its mutants', async () => {
    const { handle, events } = drive({ num_random_generations: 0, num_mutations: 1, n_epochs: 1 }, () => {});
    await handle.result;
    const s = events.find((e): e is StepEvent => e.type === 'step')!;
    expect(s.candidates.map((c) => c.kind)).toEqual([...Array(4).fill('population'), ...Array(4).fill('mutation')]);
  });

  it('a model that repeats itself gets 10 rounds of asking for the missing initial prompts, then the search goes on', async () => {
    const m = new FakeModel({ words: ['only'], target: 'only' });
    const events: SearchEvent[] = [];
    let searchCalls = -1;
    const r = await startSearch(m, inputs, outputs, { ...small, n_epochs: 1, num_random_generations: 0, num_mutations: 0 }, { onEvent: (e) => { events.push(e); if (e.type === 'ranking' && searchCalls < 0) searchCalls = m.generateCalls.length; } }).result;
    // Four steps (30 rows, batches of 8); only the first asks for initial prompts. (The greedy answers for the evidence come after.)
    expect(m.generateCalls.slice(0, searchCalls).map((c) => c.contexts.length)).toEqual([4, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(4);
    expect(r.prompts).toEqual([' only only only only only only']);
  });

  it('max_length cuts a long input and output: `prompt. input` keeps their starts; `input prompt` keeps the end of the input', async () => {
    const go = async (prefix_before_input: boolean) => {
      const m = model();
      await startSearch(m, ['a b c d e f g h'], [' p q r s t'], { ...small, max_length: 3, n_epochs: 1, prefix_before_input, do_final_reranking: false }).result;
      const [req] = m.scoreCalls[0];
      return { m, req };
    };
    const before = await go(true);
    expect(before.m.decode(before.req.context.slice(6))).toBe('. a b');
    expect(before.m.decode(before.req.continuation)).toBe(' p q r');
    const between = await go(false);
    expect(between.m.decode(between.req.context.slice(0, 3))).toBe(' f g h');
    expect(between.req.context).toHaveLength(3 + 6);
    expect(between.m.decode(between.req.continuation)).toBe(' p q r');
  });

  it('with early stopping off (-1) no step counts unchanged steps; on, the same run does', async () => {
    const few = () => new FakeModel({ words: fakeWords(6), target: 'w0' });
    const counts = async (early_stopping_steps: number) => {
      const { handle, events } = drive({ early_stopping_steps, n_epochs: 12 }, () => {}, few());
      await handle.result;
      return events.flatMap((e) => (e.type === 'step' ? [e.unchangedSteps] : []));
    };
    expect(Math.max(...(await counts(1_000_000)))).toBeGreaterThan(0);
    expect(Math.max(...(await counts(-1)))).toBe(0);
  });

  it('the baseline scores the empty prompt: the scoring template with the preprefix and no prompt tokens', async () => {
    for (const prefix_before_input of [true, false]) {
      const m = model();
      const { handle, events } = drive({ n_epochs: 1, preprefix: 'Rule:', prefix_before_input }, () => {}, m);
      await handle.result;
      const steps = events.filter((e) => e.type === 'step').length;
      const baseline = m.scoreCalls[steps];
      expect(baseline).toHaveLength(10);
      for (const r of baseline) expect(m.decode(r.context)).toMatch(prefix_before_input ? /^Rule:\. Given x\d+ the answer is$/ : /^Given x\d+ the answer isRule:$/);
    }
  });

  // imodelsx's check_early_stop: only -1 turns it off; at 0 the counter (0) has already reached it.
  it('early_stopping_steps 0, or any negative value but -1, stops after the first step; -1 never stops early', async () => {
    for (const early_stopping_steps of [0, -2]) {
      const { handle } = drive({ early_stopping_steps, n_epochs: 3 }, () => {});
      expect((await handle.result).metadata, String(early_stopping_steps)).toMatchObject({ steps: 1, stopped_by: 'early_stopping' });
    }
    const { handle } = drive({ early_stopping_steps: -1, n_epochs: 3 }, () => {});
    expect((await handle.result).metadata).toMatchObject({ steps: 12, stopped_by: 'n_epochs' });
  });

  it('post_data_prompt_str carries the preprefix after one space, as the proposal context does', async () => {
    const { handle, m } = drive({ preprefix: '  Rule:', n_epochs: 1 }, () => {});
    const r = await handle.result;
    expect(r.metadata.post_data_prompt_str).toBe('\n\nPrompt: Rule:');
    expect(m.decode(m.generateCalls[0].contexts[0])).toMatch(/\n\nPrompt: Rule:$/);
    const blank = drive({ preprefix: '   ', n_epochs: 1 }, () => {});
    expect((await blank.handle.result).metadata.post_data_prompt_str).toBe('\n\nPrompt:');
  });
});
