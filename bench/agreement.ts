/**
 * npm run bench:agreement [-- --model NAME | smollm2-135m | qwen25-0.5b] [--threads 2] [--json]
 *
 * The weight formats a model ships, side by side on WASM (onnxruntime-web in Node): scoring
 * speed, and how far each format's scores are from fp32's on the same pairs (bench/workload.ts:
 * four prompts on eight inputs each, as a search step scores them). For 4-bit weights, both ways
 * the engine can run them on WASM: expanded to float32 at load (the default) and kept as
 * MatMulNBits. Agreement: per output token, |log p - log p(fp32)| (mean and max) and whether the
 * argmax flag is the same; per prompt, its mean loss over its eight inputs, and whether the four
 * prompts rank in fp32's order (what the search acts on).
 *
 * Hub-shaped models have random weights: their figures show quantisation error on weights of that
 * shape, not on a trained model's; the shipped model is trained.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadNodeModel, SHIPPED_MODELS_DIR } from '../src/engine/node/nodeModel.ts';
import { DTYPE_FILES, type Dtype } from '../src/engine/modelSource.ts';
import { ensureHubShaped, HUB_SHAPES, type HubShape } from '../tools/hubShaped.ts';
import { MIN_ITERS, MIN_MS, scoringPairs, scoringTexts } from './workload.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');
const threads = Number(flag('--threads') ?? 2);
const name = flag('--model') ?? 'tiny-tasks-llama';
const dir = name in HUB_SHAPES ? await ensureHubShaped(name as HubShape, (s) => process.stderr.write(s + '\n')) : existsSync(path.join(SHIPPED_MODELS_DIR, name)) ? path.join(SHIPPED_MODELS_DIR, name) : path.resolve(name);

interface Format {
  label: string;
  dtype: Dtype;
  expandWeights: boolean;
}
const formats: Format[] = [];
for (const dtype of ['fp32', 'q8', 'q4'] as const) {
  if (!existsSync(path.join(dir, DTYPE_FILES[dtype]))) continue;
  if (dtype === 'q4') formats.push({ label: 'q4, expanded to float32 at load', dtype, expandWeights: true }, { label: 'q4, kept as MatMulNBits', dtype, expandWeights: false });
  else formats.push({ label: dtype, dtype, expandWeights: true });
}
if (formats[0]?.dtype !== 'fp32') {
  process.stderr.write(`bench:agreement: ${dir} has no fp32 graph (${DTYPE_FILES.fp32}) to compare with\n`);
  process.exit(2);
}

const texts = scoringTexts();
const promptOf = texts.map(([c]) => c.slice(0, c.indexOf(' Given')));
const prompts = [...new Set(promptOf)];

interface Measured {
  format: string;
  tokensPerSecond: number;
  logprobs: number[][];
  argmax: boolean[][];
}

async function measure(f: Format): Promise<Measured> {
  const m = await loadNodeModel(dir, { dtype: f.dtype, threads, expandWeights: f.expandWeights });
  try {
    const pairs = scoringPairs(m.tokenizer);
    const tokens = pairs.reduce((s, p) => s + p.context.length + p.continuation.length, 0);
    const first = await m.engine.score(pairs);
    let iters = 0;
    const t0 = performance.now();
    while (iters < MIN_ITERS || performance.now() - t0 < MIN_MS) {
      await m.engine.score(pairs);
      iters++;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { format: f.label, tokensPerSecond: (tokens * iters) / seconds, logprobs: first.map((r) => Array.from(r.logprobs)), argmax: first.map((r) => r.isArgmax) };
  } finally {
    await m.dispose();
  }
}

/** Each prompt's mean loss over its inputs (mean over tokens, then over inputs). */
const promptLosses = (lp: number[][]) => prompts.map((p) => {
  const rows = lp.filter((_, i) => promptOf[i] === p);
  return rows.reduce((s, r) => s - r.reduce((a, b) => a + b, 0) / r.length, 0) / rows.length;
});
const order = (losses: number[]) => losses.map((_, i) => i).sort((a, b) => losses[a] - losses[b]);

const results: Measured[] = [];
for (const f of formats) {
  process.stderr.write(`${f.label}...\n`);
  results.push(await measure(f));
}
const ref = results[0];
const refLosses = promptLosses(ref.logprobs);
const rows = results.map((r) => {
  const diffs = r.logprobs.flatMap((row, i) => row.map((x, j) => Math.abs(x - ref.logprobs[i][j])));
  const flags = r.argmax.flatMap((row, i) => row.map((x, j) => x === ref.argmax[i][j]));
  const losses = promptLosses(r.logprobs);
  return {
    format: r.format,
    tokensPerSecond: r.tokensPerSecond,
    meanAbsLogprobDiff: diffs.reduce((a, b) => a + b, 0) / diffs.length,
    maxAbsLogprobDiff: Math.max(...diffs),
    argmaxAgreement: flags.filter(Boolean).length / flags.length,
    maxPromptLossDiff: Math.max(...losses.map((l, i) => Math.abs(l - refLosses[i]))),
    sameRanking: order(losses).join() === order(refLosses).join(),
  };
});

if (json) console.log(JSON.stringify({ model: name, threads, pairs: texts.length, prompts: prompts.length, rows }));
else {
  console.log(`bench:agreement on ${name}, onnxruntime-web WASM in Node, ${threads} threads, ${texts.length} pairs (${prompts.length} prompts x ${texts.length / prompts.length} inputs); differences against fp32`);
  console.log('format                               tok/s   mean |dlogp|  max |dlogp|  argmax same  max prompt-loss diff  prompts ranked as fp32');
  for (const r of rows) {
    console.log(`${r.format.padEnd(34)} ${r.tokensPerSecond.toFixed(0).padStart(7)}   ${r.meanAbsLogprobDiff.toExponential(2).padStart(11)}  ${r.maxAbsLogprobDiff.toExponential(2).padStart(11)}  ${(100 * r.argmaxAgreement).toFixed(1).padStart(10)}%  ${r.maxPromptLossDiff.toExponential(2).padStart(20)}  ${r.sameRanking ? 'yes' : 'no'}`);
  }
}
