/**
 * The worker's request handler driven directly (no Worker global), with the real engine on a tiny
 * test model, asserting on the exact messages it posts.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../engine/errors.ts';
import { loadNodeModel } from '../engine/node/nodeModel.ts';
import { TINY_LLAMA_DIR } from '../test/testModels.ts';
import { WorkerHandler, type Connector, type Loader } from './handler.ts';
import type { Request, WorkerMessage } from './protocol.ts';

function setup(loader: Loader) {
  const posted: WorkerMessage[] = [];
  const handler = new WorkerHandler((m) => posted.push(m), loader);
  return { posted, handler };
}

const realLoader: Loader = async (_spec, control) => {
  control.onProgress({ loaded: 1, total: 2, files: [{ file: 'config.json', loaded: 1, total: 2, fromCache: false, done: false }] });
  return loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4' });
};

const load: Request = { kind: 'load', id: 'r1', payload: { source: { kind: 'shipped', name: 'x' }, backend: 'wasm' } };

describe('WorkerHandler', () => {
  it('answers a request before a model is loaded with an error naming the remedy', async () => {
    const { posted, handler } = setup(realLoader);
    await handler.handle({ kind: 'tokenize', id: 'r0', payload: { texts: ['a'] } });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ type: 'error', id: 'r0', error: { code: 'INTERNAL', message: 'No model is loaded; load one first.' } });
  });

  it('posts progress, then the model summary, then results for each request id', async () => {
    const { posted, handler } = setup(realLoader);
    await handler.handle(load);
    expect(posted.map((m) => `${m.type}:${m.id}`)).toEqual(['progress:r1', 'result:r1']);
    const result = posted[1];
    expect(result.type === 'result' && result.kind === 'load' && result.payload.dtype).toBe('q4');
    // A summary crosses postMessage: it must survive structured cloning.
    expect(() => structuredClone(result)).not.toThrow();

    await handler.handle({ kind: 'tokenize', id: 'r2', payload: { texts: ['Data:', 'Prompt:'] } });
    const tok = posted[2];
    expect(tok).toMatchObject({ type: 'result', kind: 'tokenize', id: 'r2' });
    const ids = tok.type === 'result' && tok.kind === 'tokenize' ? tok.payload : [];
    expect(ids).toHaveLength(2);

    await handler.handle({ kind: 'score', id: 'r3', payload: { pairs: [{ context: ids[0], continuation: ids[1] }] } });
    const score = posted.filter((m) => m.id === 'r3').pop()!;
    expect(score.type === 'result' && score.kind === 'score' && score.payload[0].logprobs.length).toBe(ids[1].length);

    await handler.handle({ kind: 'complete', id: 'r4', payload: { text: 'Data:', max_new_tokens: 4, seed: 1 } });
    const done = posted.filter((m) => m.id === 'r4').pop()!;
    expect(done.type === 'result' && done.kind === 'complete' && done.payload.ids.length).toBe(4);
  });

  it("'try' continues the input under the search's scoring template, with the prompt or with none", async () => {
    const { posted, handler } = setup(realLoader);
    await handler.handle(load);
    const direct = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4' });
    const enc = (t: string) => direct.tokenizer.encode(t);
    const greedy = async (context: number[]) => direct.tokenizer.decode((await direct.engine.generate([context], { max_new_tokens: 5, seed: 1, do_sample: false }))[0]);
    const input = 'Given the input numbers 2 and 5, the answer is';
    const cases = [
      // Written out by hand: preprefix | prompt | ". input"; then input | preprefix | prompt.
      { prompt: ' Add the numbers', template: { prefix_before_input: true, preprefix: 'Rule:', max_length: 128 }, context: [...enc('Rule:'), ...enc(' Add the numbers'), ...enc(`. ${input}`)] },
      { prompt: null, template: { prefix_before_input: true, preprefix: '', max_length: 128 }, context: enc(`. ${input}`) },
      { prompt: ' Add the numbers', template: { prefix_before_input: false, preprefix: '', max_length: 4 }, context: [...enc(input).slice(-4), ...enc(' Add the numbers')] },
    ];
    for (const [i, c] of cases.entries()) {
      await handler.handle({ kind: 'try', id: `t${i}`, payload: { prompt: c.prompt, input, template: c.template, max_new_tokens: 5 } });
      const res = posted.filter((m) => m.id === `t${i}`).pop()!;
      expect(res.type === 'result' && res.kind === 'try' && res.payload).toEqual({ text: await greedy(c.context), context: direct.tokenizer.decode(c.context) });
    }
    await handler.handle({ kind: 'try', id: 'blank', payload: { prompt: null, input: '  ', template: cases[0].template, max_new_tokens: 5 } });
    expect(posted.pop()).toMatchObject({ type: 'error', id: 'blank', error: { message: 'Type an input to try.' } });
  });

  it("'describe' scores a description on a run's evidence: the loss is a direct score of the template's text, and a run without evidence is refused", async () => {
    const { posted, handler } = setup(realLoader);
    await handler.handle(load);
    const direct = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4' });
    const enc = (t: string) => direct.tokenizer.encode(t);
    const examples = [
      { input: 'Given the input numbers 2 and 5, the answer is', output: ' 7', tokens: enc(' 7').length },
      { input: 'Given the input numbers 1 and 1, the answer is', output: ' 2', tokens: enc(' 2').length },
    ];
    const none = { nll: [1, 1], correct: [false, false] };
    const interval = { low: 0, high: 1 };
    const evidence = { examples, split: 'held_out' as const, baseline: { loss: 1, accuracy: 0, lossInterval: interval, accuracyInterval: interval, perExample: none }, firstTokenChoices: null, bootstrapSeed: 5 };
    await handler.handle({ kind: 'describe', id: 'd1', payload: { texts: [' Add the numbers'], run: { options: { preprefix: 'Rule:' }, evidence, best: null } } });
    const res = posted.filter((m) => m.id === 'd1').pop()!;
    const [mine] = res.type === 'result' && res.kind === 'describe' ? res.payload : [];
    // Written out by hand: preprefix | description | ". input", then the output.
    const scored = await direct.engine.score(examples.map((e) => ({ context: [...enc('Rule:'), ...enc(' Add the numbers'), ...enc(`. ${e.input}`)], continuation: enc(e.output) })));
    const nll = scored.map((r) => -Array.from(r.logprobs).reduce((a, b) => a + b, 0));
    expect(mine.perExample.nll.map((x) => x.toFixed(5))).toEqual(nll.map((x) => x.toFixed(5)));
    expect(mine.loss).toBeCloseTo((nll[0] + nll[1]) / (examples[0].tokens + examples[1].tokens), 5);
    expect(mine).toMatchObject({ text: ' Add the numbers', source: 'user', tiedWithBest: false });
    expect(mine.perExample.greedy).toHaveLength(2);
    await handler.handle({ kind: 'describe', id: 'd2', payload: { texts: [' x'], run: { options: {}, evidence: null, best: null } } });
    expect(posted.pop()).toMatchObject({ type: 'error', id: 'd2', error: { code: 'BAD_DATA', message: expect.stringContaining('carries no evaluation examples') } });
    await direct.dispose();
  });

  it('a failed load keeps the previous model and reports the error code', async () => {
    let fail = false;
    const { posted, handler } = setup(async (spec, control) => {
      if (fail) throw new EngineError('BAD_MODEL', 'onnx/model.onnx: broken', { file: 'onnx/model.onnx' });
      return realLoader(spec, control);
    });
    await handler.handle(load);
    fail = true;
    await handler.handle({ ...load, id: 'r5' });
    expect(posted.pop()).toEqual({ type: 'error', id: 'r5', error: expect.objectContaining({ code: 'BAD_MODEL', file: 'onnx/model.onnx' }) });
    await handler.handle({ kind: 'decode', id: 'r6', payload: { ids: [[1, 2]] } });
    expect(posted.pop()).toMatchObject({ type: 'result', kind: 'decode', id: 'r6' });
  });

  it('cancel stops a running generate with ABORTED', async () => {
    const { posted, handler } = setup(realLoader);
    await handler.handle(load);
    const running = handler.handle({ kind: 'generate', id: 'g1', payload: { contexts: [[1, 2, 3]], options: { max_new_tokens: 400, seed: 1 } } });
    await handler.handle({ kind: 'cancel', id: 'c1', payload: { target: 'g1' } });
    await running;
    expect(posted.find((m) => m.id === 'c1')).toEqual({ type: 'result', kind: 'cancel', id: 'c1', payload: { cancelled: true } });
    expect(posted.find((m) => m.id === 'g1' && m.type !== 'tokens')).toMatchObject({ type: 'error', id: 'g1', error: { code: 'ABORTED' } });
  });

  it('runs an explain request: search events stream, pause/resume/stop act between steps, the result comes last', async () => {
    const { posted, handler } = setup(realLoader);
    await handler.handle(load);
    const inputs = Array.from({ length: 12 }, (_, i) => `Given the input x is ${i}, the output f(x) is`);
    const outputs = inputs.map((_, i) => ` ${2 * i}.`);
    const options = { batch_size: 4, pop_size: 2, num_random_generations: 1, num_mutations: 1, n_epochs: 50, n_eval: 4 };
    const running = handler.handle({ kind: 'explain', id: 'e1', payload: { inputs, outputs, options } });
    // Pause once the first step is out, check that no step follows while paused, then stop.
    while (!posted.some((m) => m.type === 'search' && m.payload.type === 'step')) await new Promise((r) => setTimeout(r, 5));
    await handler.handle({ kind: 'control', id: 'c1', payload: { target: 'e1', action: 'pause' } });
    while (!posted.some((m) => m.type === 'search' && m.payload.type === 'paused')) await new Promise((r) => setTimeout(r, 5));
    const stepsWhilePaused = posted.filter((m) => m.type === 'search' && m.payload.type === 'step').length;
    // Many turns of the event loop, not a time: a search that was not blocked would step meanwhile.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(posted.filter((m) => m.type === 'search' && m.payload.type === 'step').length).toBe(stepsWhilePaused);
    await handler.handle({ kind: 'control', id: 'c2', payload: { target: 'e1', action: 'resume' } });
    while (!posted.some((m) => m.type === 'search' && m.payload.type === 'resumed')) await new Promise((r) => setTimeout(r, 5));
    await handler.handle({ kind: 'control', id: 'c3', payload: { target: 'e1', action: 'stop' } });
    await running;
    const kinds = posted.filter((m) => m.id === 'e1').map((m) => (m.type === 'search' ? m.payload.type : m.type));
    expect(kinds[0]).toBe('start');
    // Paused once, after a step; resumed after that; steps again after resuming.
    expect(kinds.filter((k) => k === 'paused')).toHaveLength(1);
    expect(kinds.indexOf('paused')).toBeGreaterThan(kinds.indexOf('step'));
    expect(kinds.indexOf('resumed')).toBeGreaterThan(kinds.indexOf('paused'));
    expect(kinds.at(-1)).toBe('result');
    const result = posted.at(-1)!;
    expect(result.type === 'result' && result.kind === 'explain' && result.payload.metadata.stopped_by).toBe('stopped');
    expect(() => structuredClone(result)).not.toThrow();
    expect(posted.find((m) => m.id === 'c9')).toBeUndefined();
    await handler.handle({ kind: 'control', id: 'c9', payload: { target: 'e1', action: 'pause' } });
    expect(posted.at(-1)).toEqual({ type: 'result', kind: 'control', id: 'c9', payload: { state: 'unknown' } });
  });

  it('bad data for explain is a BAD_DATA error naming the problem', async () => {
    const { posted, handler } = setup(realLoader);
    await handler.handle(load);
    await handler.handle({ kind: 'explain', id: 'e2', payload: { inputs: ['a', 'b'], outputs: [' 1'], options: {} } });
    expect(posted.at(-1)).toMatchObject({ type: 'error', id: 'e2', error: { code: 'BAD_DATA', message: expect.stringContaining('2 inputs but 1 outputs') } });
  });

  describe('one model, many requests', () => {
    const inputs = Array.from({ length: 12 }, (_, i) => `Given the input x is ${i}, the output f(x) is`);
    const outputs = inputs.map((_, i) => ` ${2 * i}.`);
    const options = { batch_size: 4, pop_size: 2, num_random_generations: 2, num_mutations: 1, n_epochs: 3, n_eval: 4, seed: 1 };
    /** A loader whose models record their disposal. */
    function tracked(slow?: Promise<void>) {
      const disposed: string[] = [];
      let n = 0;
      const loader: Loader = async (spec, control) => {
        const name = `m${++n}`;
        if (n > 1 && slow) await slow;
        const m = await realLoader(spec, control);
        const dispose = m.dispose;
        return { ...m, info: { ...m.info, name }, dispose: async () => {
          disposed.push(name);
          await dispose();
        } };
      };
      return { loader, disposed };
    }

    it('a load while a search runs is refused with BUSY, and the search finishes as if alone', async () => {
      const alone = setup(realLoader);
      await alone.handler.handle(load);
      await alone.handler.handle({ kind: 'explain', id: 'e0', payload: { inputs, outputs, options } });
      const expected = alone.posted.at(-1)!;

      const { loader, disposed } = tracked();
      const { posted, handler } = setup(loader);
      await handler.handle(load);
      const running = handler.handle({ kind: 'explain', id: 'e1', payload: { inputs, outputs, options } });
      while (!posted.some((m) => m.type === 'search' && m.id === 'e1')) await new Promise((r) => setTimeout(r, 2));
      await handler.handle({ kind: 'control', id: 'p1', payload: { target: 'e1', action: 'pause' } });
      while (!posted.some((m) => m.type === 'search' && m.payload.type === 'paused')) await new Promise((r) => setTimeout(r, 2));
      await handler.handle({ ...load, id: 'l2' });
      await handler.handle({ kind: 'unload', id: 'u1', payload: {} });
      await handler.handle({ kind: 'control', id: 'p2', payload: { target: 'e1', action: 'resume' } });
      await running;
      expect(posted.find((m) => m.id === 'l2')).toMatchObject({ type: 'error', error: { code: 'BUSY', message: expect.stringContaining('search is running') } });
      expect(posted.find((m) => m.id === 'u1')).toMatchObject({ type: 'error', error: { code: 'BUSY' } });
      const result = posted.filter((m) => m.id === 'e1').at(-1)!;
      expect(result.type).toBe('result');
      const prompts = (m: WorkerMessage) => (m.type === 'result' && m.kind === 'explain' ? m.payload.prompts : null);
      expect(prompts(expected)?.length).toBeGreaterThan(0);
      expect(prompts(result)).toEqual(prompts(expected));
      expect(disposed).toEqual([]);
      // Once it is done, loading works again.
      await handler.handle({ ...load, id: 'l3' });
      expect(posted.at(-1)).toMatchObject({ type: 'result', id: 'l3' });
      expect(disposed).toEqual(['m1']);
    });

    it('a model replaced while a request still runs on it is disposed only when that request ends', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const { loader, disposed } = tracked(gate);
      const { posted, handler } = setup(loader);
      await handler.handle(load);
      // The second load is under way (waiting on its download) before the search starts.
      const loading = handler.handle({ ...load, id: 'l2' });
      const running = handler.handle({ kind: 'explain', id: 'e1', payload: { inputs, outputs, options } });
      // Hold the search between steps, so it is certainly still running when the load finishes.
      while (!posted.some((m) => m.type === 'search' && m.id === 'e1')) await new Promise((r) => setTimeout(r, 2));
      await handler.handle({ kind: 'control', id: 'p1', payload: { target: 'e1', action: 'pause' } });
      while (!posted.some((m) => m.type === 'search' && m.payload.type === 'paused')) await new Promise((r) => setTimeout(r, 2));
      release();
      await loading;
      expect(posted.filter((m) => m.id === 'l2').at(-1)).toMatchObject({ type: 'result', payload: { name: 'm2' } });
      expect(disposed).toEqual([]);
      await handler.handle({ kind: 'control', id: 'p2', payload: { target: 'e1', action: 'resume' } });
      await running;
      expect(posted.filter((m) => m.id === 'e1').at(-1)).toMatchObject({ type: 'result', kind: 'explain' });
      expect(disposed).toEqual(['m1']);
    });
  });
});

describe('WorkerHandler with a model on a server (the test fixture server)', () => {
  it("connects, runs 'complete' and 'try' through the server as on the engine, refuses engine-only requests, and a refused connect keeps the model", async () => {
    const { VllmFixtureServer } = await import('../test/vllmFixtureServer.ts');
    const { connectRemoteModel } = await import('../remote/remoteModel.ts');
    const local = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4' });
    const server = new VllmFixtureServer({ engine: local.engine, tokenizer: local.tokenizer, model: 'm' });
    await server.start();
    try {
      const connector: Connector = async (spec) => {
        const remote = await connectRemoteModel({ url: spec.url, model: spec.model, tokenizer: local.tokenizer, backoffMs: 1, retries: 0 });
        return { remote, tokenizer: local.tokenizer, info: { kind: 'server', name: spec.model, server: { ...remote.info, tokenizerSource: 'test' }, throughput: null, loadMs: 1 }, dispose: async () => undefined };
      };
      const posted: WorkerMessage[] = [];
      const handler = new WorkerHandler((msg) => posted.push(msg), realLoader, connector);
      const connect = (id: string, model: string): Request => ({ kind: 'connect', id, payload: { url: server.url, model, tokenizer: { kind: 'hub', id: 'x/y' } } });
      await handler.handle(connect('c1', 'm'));
      expect(posted.pop()).toMatchObject({ type: 'result', kind: 'connect', payload: { kind: 'server', name: 'm' } });

      const ids = local.tokenizer.encode('Data:');
      await handler.handle({ kind: 'complete', id: 'c2', payload: { text: 'Data:', max_new_tokens: 4, seed: 3 } });
      const [expected] = await local.engine.generate([ids], { max_new_tokens: 4, seed: 3 });
      expect(posted.pop()).toMatchObject({ type: 'result', kind: 'complete', payload: { ids: expected } });

      await handler.handle({ kind: 'score', id: 'c3', payload: { pairs: [{ context: ids, continuation: ids }] } });
      expect(posted.pop()).toMatchObject({ type: 'error', id: 'c3', error: { code: 'INTERNAL', message: expect.stringContaining('runs on a server') } });

      // A server that does not serve the model: the error crosses as SERVER with the server's remedy; the connection held stays.
      await handler.handle(connect('c4', 'other'));
      expect(posted.pop()).toMatchObject({ type: 'error', id: 'c4', error: { code: 'SERVER', message: expect.stringContaining('does not serve "other"'), remedy: expect.stringContaining('--served-model-name') } });
      await handler.handle({ kind: 'tokenize', id: 'c5', payload: { texts: ['Data:'] } });
      expect(posted.pop()).toMatchObject({ type: 'result', payload: [ids] });
    } finally {
      await server.stop();
      await local.dispose();
    }
  });
});
