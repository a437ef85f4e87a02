/**
 * npm run bench:kernels [-- --json] [--threads N]
 *
 * What each weight format costs per matrix multiply on the WASM backend, against native
 * onnxruntime-node on the same graphs: a chain of 8 linear layers of SmolLM2-135M's MLP size
 * (576 -> 1536 -> 576 ...), as
 *   - fp32 MatMul,
 *   - 4-bit MatMulNBits (the q4 exports) with accuracy_level 0 and 4, block size 32 and 128,
 *   - 8-bit dynamic quantisation (DynamicQuantizeLinear + MatMulInteger, int8 weights per
 *     tensor: the layout of transformers.js's q8 "model_quantized" files),
 * at M = 1, 16, 64 and 352 rows (one token of generation up to a scoring pass of 16 rows x 22).
 * Prints ms per multiply and GFLOP/s; the same graph bytes run on both runtimes. The figure it
 * explains: onnxruntime-web has no 4-bit kernel for WASM, so MatMulNBits dequantises its whole
 * weight on every call (a fixed cost per pass, whatever M), while native runs a 4-bit kernel.
 */
import * as ortWeb from 'onnxruntime-web';
import { DT, GraphBuilder } from '../tools/modelgen/onnx.ts';
import { linear } from '../tools/modelgen/layers.ts';
import { mulberry32 } from '../src/util/random.ts';

const args = process.argv.slice(2);
const threads = Number(args[args.indexOf('--threads') + 1] || 2) || 2;
const json = args.includes('--json');
const K = 576;
const N = 1536;
const LAYERS = 8;
const ROWS = [1, 16, 64, 352];

type Format = { name: string; build: (g: GraphBuilder, x: string, l: number, w: Float32Array, k: number, n: number) => string };

/** x [M, k] @ W [k, n] with int8 weights (one scale per tensor) and activations quantised per call. */
function dynamicInt8(g: GraphBuilder, x: string, l: number, w: Float32Array, k: number, n: number): string {
  let amax = 0;
  for (const v of w) amax = Math.max(amax, Math.abs(v));
  const scale = amax / 127 || 1;
  const q = Int8Array.from(w, (v) => Math.round(v / scale));
  const W = g.initBytes(`l${l}.weight_int8`, [k, n], DT.INT8, new Uint8Array(q.buffer));
  const [xq, xScale, xZero] = g.nodeMulti('DynamicQuantizeLinear', [x], 3);
  const y = g.node('Cast', [g.node('MatMulInteger', [xq, W, xZero])], { attrs: { to: DT.FLOAT } });
  return g.node('Mul', [y, g.node('Mul', [xScale, g.constFloat(scale)])]);
}

const FORMATS: Format[] = [
  { name: 'fp32 MatMul', build: (g, x, l, w, k, n) => linear(g, x, `l${l}`, w, k, n, 'fp32') },
  { name: 'q4 MatMulNBits, accuracy 0, block 32', build: (g, x, l, w, k, n) => linear(g, x, `l${l}`, w, k, n, 'q4', undefined, { accuracyLevel: 0 }) },
  { name: 'q4 MatMulNBits, accuracy 4, block 32', build: (g, x, l, w, k, n) => linear(g, x, `l${l}`, w, k, n, 'q4', undefined, { accuracyLevel: 4 }) },
  { name: 'q4 MatMulNBits, accuracy 4, block 128', build: (g, x, l, w, k, n) => linear(g, x, `l${l}`, w, k, n, 'q4', undefined, { accuracyLevel: 4, blockSize: 128 }) },
  { name: 'q8 dynamic (MatMulInteger)', build: dynamicInt8 },
];

function chain(f: Format, w: Float32Array): Uint8Array {
  const g = new GraphBuilder('kernels');
  let x = g.input('x', DT.FLOAT, ['M', K]);
  for (let l = 0; l < LAYERS; l++) {
    const [k, n] = l % 2 === 0 ? [K, N] : [N, K];
    x = f.build(g, x, l, w.subarray(0, k * n), k, n);
  }
  g.output(x, DT.FLOAT, ['M', K]);
  return g.finish();
}

interface Cell {
  rows: number;
  msPerMatMul: number;
  gflops: number;
}

type OrtLike = Pick<typeof ortWeb, 'InferenceSession' | 'Tensor'>;

async function measure(ort: OrtLike, model: Uint8Array, opts: object): Promise<Cell[]> {
  const session = await ort.InferenceSession.create(model, opts);
  const r = mulberry32(2);
  const out: Cell[] = [];
  for (const M of ROWS) {
    const feeds = { x: new ort.Tensor('float32', Float32Array.from({ length: M * K }, () => r() - 0.5), [M, K]) };
    await session.run(feeds);
    const reps = M >= 64 ? 4 : 12;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await session.run(feeds);
    const ms = (performance.now() - t0) / reps / LAYERS;
    out.push({ rows: M, msPerMatMul: ms, gflops: (2 * M * K * N) / (ms / 1000) / 1e9 });
  }
  await session.release();
  return out;
}

const r = mulberry32(1);
const w = Float32Array.from({ length: K * N }, () => (r() - 0.5) * 0.1);
ortWeb.env.wasm.numThreads = threads;
const native = (await import('onnxruntime-node')) as unknown as OrtLike;
const results: { format: string; wasm: Cell[]; native: Cell[] }[] = [];
for (const f of FORMATS) {
  const model = chain(f, w);
  results.push({
    format: f.name,
    wasm: await measure(ortWeb, model, { executionProviders: ['wasm'] }),
    native: await measure(native, model, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 }),
  });
}
if (json) {
  console.log(JSON.stringify({ threads, shape: { K, N, layers: LAYERS }, results }));
} else {
  console.log(`bench:kernels: ${LAYERS} linear layers ${K} <-> ${N}, ${threads} threads; ms per multiply (GFLOP/s)`);
  const w0 = Math.max(...FORMATS.map((f) => f.name.length)) + 9;
  console.log(`${'format'.padEnd(w0)}${ROWS.map((m) => `M=${m}`.padStart(18)).join('')}`);
  for (const res of results) {
    for (const [where, cells] of [['WASM', res.wasm], ['native', res.native]] as const) {
      console.log(`${`${res.format}, ${where}`.padEnd(w0)}${cells.map((c) => `${c.msPerMatMul.toFixed(2)} (${c.gflops.toFixed(1)})`.padStart(18)).join('')}`);
    }
  }
}
