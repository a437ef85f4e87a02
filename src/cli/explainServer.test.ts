/**
 * `npm run explain -- --server URL --server-model NAME` as a user runs it (a child process)
 * against the test fixture server (src/test/vllmFixtureServer.ts) answering from the engine on
 * the shipped model: the same ranking as the local run on the same runtime, no address in the
 * result, and clear errors for what is missing or refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../engine/loadModel.ts';
import { loadNodeModel } from '../engine/node/nodeModel.ts';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';
import { VllmFixtureServer } from '../test/vllmFixtureServer.ts';
import { runExplain } from '../test/runExplain.ts';

const explain = runExplain;

const SERVED = 'acme/tiny-tasks-llama';
let m: LoadedModel;
let server: VllmFixtureServer;
const small = ['--dataset', 'add_two', '--n-examples', '16', '--max-n-steps', '2', '--pop-size', '4', '--num-mutations', '2', '--num-random-generations', '2', '--n-eval', '8', '--seed', '4', '--json', '--quiet'];

beforeAll(async () => {
  m = await loadNodeModel(DEFAULT_MODEL, { dtype: 'q4' });
  server = new VllmFixtureServer({ engine: m.engine, tokenizer: m.tokenizer, model: SERVED, apiKey: 'k1' });
  await server.start();
});
afterAll(async () => {
  await server?.stop();
  await m?.dispose();
});

describe('npm run explain -- --server', () => {
  it('ranks what the local engine ranks, records the served model and never the address', async () => {
    const remote = await explain([...small, '--server', server.url, '--server-model', SERVED, '--server-tokenizer', DEFAULT_MODEL], { IPROMPT_SERVER_API_KEY: 'k1' });
    expect(remote.code, remote.stderr).toBe(0);
    const local = await explain([...small, '--runtime', 'wasm', '--dtype', 'q4']);
    expect(local.code, local.stderr).toBe(0);
    const r = JSON.parse(remote.stdout);
    const l = JSON.parse(local.stdout);
    expect(r.prompts.map((p: { text: string }) => p.text)).toEqual(l.prompts.map((p: { text: string }) => p.text));
    expect(r.metadata).toMatchObject({ model: SERVED, runtime: 'vllm-server' });
    expect(remote.stdout).not.toContain('127.0.0.1');
  }, 120_000);

  it('says what is missing: the model name, a loadable tokenizer, the API key', async () => {
    const noModel = await explain([...small, '--server', server.url]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/--server needs --server-model NAME/);
    const offline = { IPROMPT_HUB_URL: 'http://127.0.0.1:9/{id}/{file}', IPROMPT_CACHE_DIR: '', IPROMPT_SERVER_API_KEY: 'k1' };
    const noTok = await explain([...small, '--server', server.url, '--server-model', SERVED, '--server-tokenizer', 'no-such/model-here'], offline);
    expect(noTok.code).toBe(2);
    expect(noTok.stderr).toMatch(/--server-tokenizer FOLDER/);
    // A name the server does not serve is said before any tokenizer is looked for.
    const wrongName = await explain([...small, '--server', server.url, '--server-model', 'no-such/model-here'], offline);
    expect(wrongName.code).toBe(1);
    expect(wrongName.stderr).toMatch(/does not serve "no-such\/model-here"; it serves "acme\/tiny-tasks-llama"/);
    const noKey = await explain([...small, '--server', server.url, '--server-model', SERVED, '--server-tokenizer', DEFAULT_MODEL]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/refused the request \(401/);
    expect(noKey.stderr).toMatch(/--api-key/);
    const stray = await explain([...small, '--server-model', SERVED]);
    expect(stray.stderr).toMatch(/--server-model needs --server URL/);
  }, 60_000);
});
