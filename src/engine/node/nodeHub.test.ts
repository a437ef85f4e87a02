import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../../../e2e/hubServer.ts';
import { hubUrl } from '../download.ts';
import { EngineError } from '../errors.ts';
import type { LoadedModel } from '../loadModel.ts';
import type { LoadProgress } from '../modelSource.ts';
import { TINY_LLAMA_DIR } from '../../test/testModels.ts';
import { cacheKey, diskCache } from './diskCache.ts';
import { loadNodeModel } from './nodeModel.ts';

const ID = 'test-org/tiny-llama';
const GRAPH = 'onnx/model_q4.onnx';

let server: HubServer;
let tmpRoot: string;
let reference: LoadedModel;
const opened: LoadedModel[] = [];

const totalHits = () => [...server.hits.values()].reduce((s, n) => s + n, 0);
const hitsFor = (file: string) => server.hits.get(`/${ID}/resolve/main/${file}`) ?? 0;
const freshDir = () => mkdtemp(path.join(tmpRoot, 'cache-'));

async function load(cacheDir: string | null, extra: Parameters<typeof loadNodeModel>[1] = {}): Promise<LoadedModel> {
  const model = await loadNodeModel(ID, { hubUrl: server.template, cacheDir, dtype: 'q4', ...extra });
  opened.push(model);
  return model;
}

async function scoreOf(model: LoadedModel): Promise<Float32Array[]> {
  const enc = (s: string) => model.tokenizer.encode(s);
  const pairs = [
    { context: enc('Given the input numbers 8 and 0, the answer is'), continuation: enc(' 8.') },
    { context: enc('Data:'), continuation: enc(' the answer is 12') },
  ];
  return (await model.engine.score(pairs)).map((r) => r.logprobs);
}

function expectSameScores(a: Float32Array[], b: Float32Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i].length);
    expect(row.length).toBeGreaterThan(0);
    for (let j = 0; j < row.length; j++) expect(Math.abs(row[j] - b[i][j])).toBeLessThanOrEqual(1e-5);
  });
}

beforeAll(async () => {
  tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'iprompt-hub-'));
  server = await startHubServer({ [ID]: TINY_LLAMA_DIR });
  reference = await loadNodeModel(TINY_LLAMA_DIR, { dtype: 'q4' });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.dispose()));
});

afterAll(async () => {
  await reference?.dispose();
  await server?.close();
  if (tmpRoot) await rm(tmpRoot, { recursive: true, force: true });
});

describe('loadNodeModel from a hub id', () => {
  it('downloads the model, scores as the folder does, reports progress, and a second load uses the disk cache', async () => {
    const cacheDir = await freshDir();
    const progress: LoadProgress[] = [];
    const before = totalHits();
    const model = await load(cacheDir, { onProgress: (p) => progress.push(p) });
    expect(hitsFor(GRAPH)).toBeGreaterThan(0);
    expect(totalHits()).toBeGreaterThan(before);
    expect(model.info.name).toBe(ID);
    expect(model.info.dtype).toBe('q4');
    expectSameScores(await scoreOf(model), await scoreOf(reference));

    // Progress came through, ended complete, and nothing came from the (empty) cache.
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1];
    const graph = last.files.find((f) => f.file === GRAPH);
    expect(graph).toMatchObject({ done: true, fromCache: false });
    expect(graph!.loaded).toBeGreaterThan(0);
    expect(last.total).toBe(last.loaded);

    // The cache directory holds only committed entries, no leftover temporary files.
    const names = await readdir(cacheDir);
    expect(names).toContain(`${cacheKey(hubUrl(server.template, ID, GRAPH))}.bin`);
    expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);

    const afterFirst = totalHits();
    const secondProgress: LoadProgress[] = [];
    const again = await load(cacheDir, { onProgress: (p) => secondProgress.push(p) });
    expect(totalHits() - afterFirst).toBe(0);
    expect(secondProgress[secondProgress.length - 1].files.find((f) => f.file === GRAPH)).toMatchObject({ fromCache: true, done: true });
    expectSameScores(await scoreOf(again), await scoreOf(reference));
  });

  it('downloads again every time with cacheDir: null', async () => {
    await load(null);
    const before = hitsFor(GRAPH);
    await load(null);
    expect(hitsFor(GRAPH)).toBe(before + 1);
  });

  it('fails a truncated download with a NETWORK error and caches nothing for that file', async () => {
    const cacheDir = await freshDir();
    const url = hubUrl(server.template, ID, GRAPH);
    server.truncateNext('model_q4.onnx');
    const err = await load(cacheDir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('NETWORK');
    expect((err as EngineError).file).toBe(GRAPH);
    expect(await diskCache(cacheDir).match(url)).toBeUndefined();
    expect((await readdir(cacheDir)).filter((n) => n.startsWith(cacheKey(url)) || n.startsWith('.tmp-'))).toEqual([]);

    // The files that did arrive whole are cached; the graph is fetched again, and the load succeeds.
    const graphHits = hitsFor(GRAPH);
    const configHits = hitsFor('config.json');
    const model = await load(cacheDir);
    expect(hitsFor(GRAPH)).toBe(graphHits + 1);
    expect(hitsFor('config.json')).toBe(configHits);
    expectSameScores(await scoreOf(model), await scoreOf(reference));
    expect(await diskCache(cacheDir).match(url)).toBeDefined();
  });

  it('cancels through the signal', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(load(await freshDir(), { signal: ctl.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects a name that is neither a model, a folder nor a hub id, and says hub ids are accepted', async () => {
    for (const name of ['no-such-model-anywhere', './no/such/folder', '../no-such-folder', 'a/b/c']) {
      const err = await loadNodeModel(name).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('BAD_MODEL');
      expect((err as EngineError).message).toContain(name);
      expect((err as EngineError).message).toMatch(/hub id \(owner\/name\)/);
    }
  });
});

describe('diskCache', () => {
  const URL_A = 'https://hub.example/org/m/resolve/main/onnx/model_q4.onnx?x=1&y=../../etc';

  it('round-trips body and headers under a hashed file name', async () => {
    const dir = await freshDir();
    const cache = diskCache(dir);
    expect(await cache.match(URL_A)).toBeUndefined();
    await cache.put(URL_A, new Response(new Uint8Array([1, 2, 3]), { headers: { 'content-length': '3', 'x-iprompt-file': 'onnx%2Fmodel_q4.onnx' } }));
    const hit = await cache.match(URL_A);
    expect(hit).toBeDefined();
    expect(hit!.headers.get('content-length')).toBe('3');
    expect(hit!.headers.get('x-iprompt-file')).toBe('onnx%2Fmodel_q4.onnx');
    expect([...new Uint8Array(await hit!.arrayBuffer())]).toEqual([1, 2, 3]);
    expect((await readdir(dir)).sort()).toEqual([`${cacheKey(URL_A)}.bin`, `${cacheKey(URL_A)}.json`]);
    expect(await cache.keys()).toEqual([URL_A]);
    // Replacing an entry keeps one committed copy.
    await cache.put(URL_A, new Response(new Uint8Array([9]), { headers: { 'content-length': '1' } }));
    expect([...new Uint8Array(await (await cache.match(URL_A))!.arrayBuffer())]).toEqual([9]);
    expect(await cache.delete(URL_A)).toBe(true);
    expect(await cache.delete(URL_A)).toBe(false);
    expect(await cache.match(URL_A)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it('never serves a body without its sidecar (a crash before the commit) or of the wrong size', async () => {
    const dir = await freshDir();
    const cache = diskCache(dir);
    const key = cacheKey(URL_A);
    await writeFile(path.join(dir, `${key}.bin`), new Uint8Array([1, 2]));
    expect(await cache.match(URL_A)).toBeUndefined();
    expect(await cache.keys()).toEqual([]);

    await cache.put(URL_A, new Response(new Uint8Array([1, 2, 3, 4]), { headers: { 'content-length': '4' } }));
    await writeFile(path.join(dir, `${key}.bin`), new Uint8Array([1, 2]));
    expect(await cache.match(URL_A)).toBeUndefined();
    // The damaged entry is dropped.
    expect(await readdir(dir)).toEqual([]);
  });
});
