/**
 * Every export replica (tools/modelgen/replicas.ts) in a real Chromium, in the app's worker,
 * downloaded from the local hub server: on WASM (all weight formats) and on WebGPU (SwiftShader;
 * fp32 and q4, since it has no shader-f16). The browser's scores must equal the Node engine's on
 * the same files (src/engine/replicas.test.ts checks those against each replica's oracle twin),
 * a batch (three of its rows share a prefix, which the engine may run once) must score like each
 * row alone and like the chunked path (a tiny logits budget), and generation must give Node's tokens.
 */
import { expect, test } from './fixtures.ts';
import { startHubServer, type HubServer } from './hubServer.ts';
import { HUB_MODELS, REPLICAS_DIR } from './models.ts';
import { REPLICAS } from '../tools/modelgen/replicas.ts';
import { loadNodeModel } from '../src/engine/node/nodeModel.ts';
import path from 'node:path';

const TEXTS = [
  ['Given the input numbers 8 and 0, the answer is', ' 8.'],
  ['Data:', ' the answer is 12 and the rule'],
  ['x', ' y'],
  ['Prompt: add the two numbers. Given the input numbers 3 and 4, the answer is', ' 7'],
  // Rows that share a prompt and the template's words: scored over the shared prefix's cache
  // where the engine reuses it (engine.ts prefixReuse), so "batch = alone" also checks the reuse.
  ['Prompt: add the two numbers. Given the input numbers 5 and 9, the answer is', ' 14'],
  ['Prompt: add the two numbers. Given the input numbers 1 and 2, the answer is', ' 3'],
];
const GEN = [
  { max_new_tokens: 5, seed: 2, do_sample: false },
  { max_new_tokens: 5, seed: 9, temperature: 4, top_k: 0, top_p: 1 },
];

async function nodeExpectations(name: string, dtype: 'fp32' | 'q4' | 'q4f16') {
  const m = await loadNodeModel(path.join(REPLICAS_DIR, name), { dtype });
  const ids = TEXTS.map(([c, k]) => [m.tokenizer.encode(c), m.tokenizer.encode(k)]);
  const scores = await m.engine.score(ids.map(([context, continuation]) => ({ context, continuation })));
  const generated = [];
  for (const opts of GEN) generated.push(await m.engine.generate(ids.map(([c]) => c), opts));
  await m.dispose();
  return { ids, logprobs: scores.map((s) => Array.from(s.logprobs)), generated };
}

let hub: HubServer;
test.beforeAll(async () => {
  hub = await startHubServer(HUB_MODELS);
});
test.afterAll(() => hub.close());

for (const backend of ['wasm', 'webgpu'] as const) {
  for (const spec of REPLICAS) {
    const formats = spec.files.filter((f) => backend === 'wasm' || f !== 'q4f16');
    test(`${spec.name} on ${backend === 'wasm' ? 'WASM' : 'WebGPU @webgpu'} (${formats.join(', ')}): batch = alone = Node, same generated tokens`, async ({ page }) => {
      test.setTimeout(240_000);
      await page.goto('/harness.html');
      await page.waitForFunction(() => 'harness' in window);
      for (const dtype of formats) {
        const want = await nodeExpectations(spec.name, dtype);
        const got = await page.evaluate(
          async ([id, template, backend, dtype, texts, gen]) => {
            const h = window.harness;
            const worker = `${id}-${dtype}`;
            const loaded = await h.call(worker, 'load', { source: { kind: 'hub', id }, hubUrl: template, backend, dtype });
            if (!loaded.ok) return { error: JSON.stringify(loaded.error) };
            const tok = await h.call(worker, 'tokenize', { texts: texts.flat() });
            if (!tok.ok) return { error: 'tokenize' };
            const pairs = texts.map((_, i) => ({ context: tok.value[2 * i], continuation: tok.value[2 * i + 1] }));
            const batch = await h.call(worker, 'score', { pairs });
            if (!batch.ok) return { error: JSON.stringify(batch.error) };
            let aloneDiff = 0;
            for (let i = 0; i < pairs.length; i++) {
              const one = await h.call(worker, 'score', { pairs: [pairs[i]] });
              if (!one.ok) return { error: JSON.stringify(one.error) };
              one.value[0].logprobs.forEach((v, j) => (aloneDiff = Math.max(aloneDiff, Math.abs(v - batch.value[i].logprobs[j]))));
            }
            // The same files with room for the logits of three positions per pass: single rows, in chunks.
            const tight = `${worker}-chunked`;
            const vocab = loaded.value.shape.vocabSize;
            const chunkedLoad = await h.call(tight, 'load', { source: { kind: 'hub', id }, hubUrl: template, backend, dtype, limits: { maxLogitsBytes: 3 * vocab * 4 } });
            if (!chunkedLoad.ok) return { error: JSON.stringify(chunkedLoad.error) };
            const chunked = await h.call(tight, 'score', { pairs });
            if (!chunked.ok) return { error: JSON.stringify(chunked.error) };
            let chunkDiff = 0;
            chunked.value.forEach((s, i) => s.logprobs.forEach((v, j) => (chunkDiff = Math.max(chunkDiff, Math.abs(v - batch.value[i].logprobs[j])))));
            h.terminate(tight);
            const generated = [];
            for (const options of gen) {
              const g = await h.call(worker, 'generate', { contexts: pairs.map((p) => p.context), options });
              if (!g.ok) return { error: JSON.stringify(g.error) };
              generated.push(g.value);
            }
            h.terminate(worker);
            return { info: loaded.value, ids: pairs.map((p) => [p.context, p.continuation]), logprobs: batch.value.map((s) => Array.from(s.logprobs)), aloneDiff, chunkDiff, generated };
          },
          [`replica/${spec.name}`, hub.template, backend, dtype, TEXTS, GEN] as const,
        );
        expect(got.error, `${dtype}`).toBeUndefined();
        expect(got.info!.backend.backend).toBe(backend);
        expect(got.info!.dtype).toBe(dtype);
        // WebGPU keeps the key-value cache on the GPU between passes (generation below uses it).
        expect(got.info!.graph.kvLocation).toBe(backend === 'webgpu' ? 'gpu-buffer' : 'cpu');
        expect(got.info!.graph.attention).toBe(spec.style === 'fused-gqa' ? 'right-padded' : 'masked');
        // 4-bit weights: float32 at load on WASM (float16 graphs aside); WebGPU has 4-bit kernels.
        if (dtype === 'q4') expect(got.info!.nbits).toEqual(backend === 'wasm' ? expect.objectContaining({ expanded: true, kept: [] }) : { expanded: false, reason: 'this backend has 4-bit kernels' });
        const float32Weights = dtype === 'fp32' || got.info!.nbits?.expanded === true;
        // Reuse as loadModel's reuseFor chooses it: batched with a mask; position by position for
        // GroupQueryAttention only on WASM without 4-bit kernels.
        expect(got.info!.prefixReuse).toBe(spec.style !== 'fused-gqa' ? 'batched' : backend === 'wasm' && float32Weights ? 'columns' : 'off');
        expect(got.ids).toEqual(want.ids);
        expect(got.aloneDiff, `${dtype}: batch vs alone`).toBeLessThanOrEqual(1e-4);
        // Chunks change float16 rounding (the cache is stored in float16 between them).
        expect(got.chunkDiff, `${dtype}: chunked vs whole`).toBeLessThanOrEqual(dtype === 'q4f16' ? 2e-2 : 1e-4);
        let nodeDiff = 0;
        got.logprobs!.forEach((row, i) => row.forEach((v, j) => (nodeDiff = Math.max(nodeDiff, Math.abs(v - want.logprobs[i][j])))));
        // accuracy_level 4 (the model builder's q4) lets WebGPU's MatMulNBits quantize activations
        // to int8, which WASM does not: measured 0.13 nats apart on this replica. Everything else
        // must agree to 1e-4 and give the same tokens.
        const approximate = backend === 'webgpu' && dtype !== 'fp32' && spec.accuracyLevel === 4;
        expect(nodeDiff, `${dtype}: browser vs Node`).toBeLessThanOrEqual(approximate ? 0.5 : 1e-4);
        if (!approximate) expect(got.generated, `${dtype}: generated tokens`).toEqual(want.generated);
      }
    });
  }
}
