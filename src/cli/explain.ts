/**
 * npm run explain -- --dataset add_two | --data FILE [--input-col X --output-col Y] [options]
 *
 * Explains a dataset with iPrompt from a terminal: progress on stderr, the ranked prompts as a
 * table on stdout, or with --json the result as one JSON object on stdout.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TASK_IDS, taskPairs } from '../datasets/tasks/index.ts';
import { DataParseError, parsePairs, type DataFormat } from '../data/parsePairs.ts';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';
import { searchModelOf } from '../bridge/searchModel.ts';
import { DEFAULT_OPTIONS, DEVIATIONS, exportResult, OPTION_DOCS, startSearch, type Explanation, type ExplainResult, type Interval, type Measured, type SearchEvent } from '../iprompt/index.ts';
import { formatBytes, formatDuration } from '../util/format.ts';
import { intFlag, parseArgs, stringFlag, UsageError } from './args.ts';
import { loadCliModel, type NodeRuntime } from './nodeRuntime.ts';
import { RemoteError } from '../remote/serverClient.ts';
import { SERVER_FLAGS, SERVER_HELP, serverFromFlags } from './serverModel.ts';
import type { SearchLanguageModel } from '../iprompt/languageModel.ts';

const VALUE_FLAGS = new Set(['dataset', 'data', 'input_col', 'output_col', 'format', 'model', 'dtype', 'runtime', 'threads', 'top', 'out', 'n_examples', 'data_seed', ...SERVER_FLAGS]);
const BOOLEAN_FLAGS = new Set(['json', 'help', 'quiet']);
const REPEATABLE_FLAGS = new Set(['score']);

const HELP = `Explain a dataset in plain language with iPrompt.

  npm run explain -- --dataset add_two
  npm run explain -- --data pairs.csv --input-col question --output-col answer

Data (one of):
  --dataset ID          a task of the suite: ${TASK_IDS.join(', ')}
                        (add_two is the reference's get_add_two_numbers_dataset, 100 pairs)
  --n-examples N        examples generated for a suite task (default: all it has, at most 100)
  --data-seed N         seed of those examples (default 1)
  --data FILE           CSV, TSV, JSON, JSONL or pasted lines ("input<TAB>output", "input => output")
  --format F            csv | tsv | json | jsonl | pasted (default: from the extension, else sniffed)
  --input-col X         input column or field (default "input", else the first column)
  --output-col Y        output column or field (default "output", else the second column)

Model:
  --model M             a shipped model name, a model folder, or a hub id owner/name (default ${DEFAULT_MODEL})
  --dtype D             auto | fp32 | q4 | q8 | fp16 | q4f16 (default auto)
  --runtime R           auto | native | wasm (default auto: onnxruntime-node where installed)
  --threads N           CPU threads (default 2)

${SERVER_HELP}

Output:
  --json                the result as one JSON object on stdout
  --top N               rows of the table (default 10)
  --out FILE            also write the JSON result to FILE
  --quiet               no progress on stderr
  --score "TEXT"        also score a description of your own on the same held-out examples,
                        listed beside the found ones (repeat for several)

Search options (reference names; dashes or underscores; defaults in brackets):
${Object.entries(OPTION_DOCS)
  .map(([k, doc]) => `  --${k.padEnd(40)} ${doc} [${JSON.stringify(DEFAULT_OPTIONS[k as keyof typeof DEFAULT_OPTIONS])}]`)
  .join('\n')}

Deviations from imodelsx's defaults: ${DEVIATIONS.map((d) => d.option).join('; ')} (see docs/iprompt.md).`;

async function loadData(flags: Map<string, string | true>): Promise<{ inputs: string[]; outputs: string[]; label: string }> {
  const dataset = stringFlag(flags, 'dataset');
  const file = stringFlag(flags, 'data');
  if (dataset && file) throw new UsageError('Give --dataset or --data, not both.');
  if (!dataset && !file) throw new UsageError('Give the data: --dataset ID (a suite task) or --data FILE. See --help.');
  if (dataset) {
    const opts = { n: flags.has('n_examples') ? intFlag(flags, 'n_examples', 0) : undefined, seed: flags.has('data_seed') ? intFlag(flags, 'data_seed', 1) : undefined };
    let d;
    try {
      d = taskPairs(dataset, opts);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return { inputs: d.inputs, outputs: d.outputs, label: d.reference ? `add_two (the reference dataset, ${d.inputs.length} pairs)` : `${dataset} (${d.inputs.length} examples)` };
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file!));
  } catch (err) {
    throw new UsageError(`Cannot read --data ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const parsed = parsePairs(bytes, { fileName: path.basename(file!), format: stringFlag(flags, 'format') as DataFormat | undefined, inputColumn: stringFlag(flags, 'input_col'), outputColumn: stringFlag(flags, 'output_col') });
  for (const p of parsed.rowProblems.slice(0, 5)) process.stderr.write(`warning: line ${p.line}: ${p.message}\n`);
  return { inputs: parsed.inputs, outputs: parsed.outputs, label: `${file} (${parsed.format}, ${parsed.inputs.length} rows, ${parsed.inputColumn} -> ${parsed.outputColumn})` };
}

function progressPrinter(quiet: boolean) {
  const tty = process.stderr.isTTY;
  let lastLen = 0;
  const line = (text: string, final = false) => {
    if (quiet) return;
    if (tty) {
      process.stderr.write('\r' + text.padEnd(lastLen) + (final ? '\n' : ''));
      lastLen = final ? 0 : text.length;
    } else process.stderr.write(text + '\n');
  };
  return (e: SearchEvent) => {
    if (e.type === 'start') {
      const s = e.sizes;
      line(`${s.examples} examples: ${s.trainExamples} for the search, ${s.heldOutExamples} held out; ${s.rows} rows, ${s.batchesPerEpoch} batches per epoch, up to ${s.plannedSteps} steps of ${s.candidatesPerStep} candidates`, true);
    } else if (e.type === 'step') {
      const perStep = e.elapsedMs / 1000 / e.step;
      const left = (e.plannedSteps - e.step) * perStep;
      const best = e.best.text.length > 40 ? e.best.text.slice(0, 39) + '…' : e.best.text;
      line(`step ${e.step}/${e.plannedSteps}  epoch ${e.epoch + 1}  best ${JSON.stringify(best)} loss ${e.best.meanLoss.toFixed(4)} acc ${e.best.meanAccuracy.toFixed(2)}  ${Math.round(e.tokensPerSecond)} tok/s  ~${formatDuration(left)} left`, !tty);
    } else if (e.type === 'ranking') {
      const what = { rerank: 'final ranking: prompts re-scored on held-out examples', clean: 'cleaning the wording: shorter wordings scored', evidence: 'evidence: greedy answers for explanations' }[e.phase];
      line(`${what} ${e.done}/${e.total}`, e.done === e.total && !tty);
    } else if (e.type === 'done' && tty) line('', true);
  };
}

const interval = (x: number, i: Interval | undefined, digits: number) => `${x.toFixed(digits)} [${i ? `${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}` : '?'}]`;

/** The explanations (cleaned, merged, with intervals), the baseline, your own descriptions and the verdict. */
export function table(r: ExplainResult, top: number): string {
  const md = r.metadata;
  const on = md.evidence?.split === 'training_rows' ? 'training rows' : 'held-out examples';
  const row = (rank: string, e: Measured, mark: string, text: string) =>
    `${rank.padStart(4)}  ${interval(e.accuracy, e.accuracyInterval, 3).padStart(22)}  ${interval(e.loss, e.lossInterval, 4).padStart(25)}  ${mark}  ${text}`;
  const from = (e: Explanation) => (e.variants.length > 1 ? `  (${e.variants.length} prompts as found, e.g. ${JSON.stringify(e.variants[0].text)})` : e.cleaned ? `  (found as ${JSON.stringify(e.variants[0].text)})` : '');
  const out = [`rank  ${'accuracy [95% interval]'.padStart(22)}  ${'loss [95% interval]'.padStart(25)}     explanation`];
  md.explanations.slice(0, top).forEach((e, i) => out.push(row(String(i + 1), e, e.tiedWithBest ? '≈' : ' ', JSON.stringify(e.text) + from(e))));
  if (md.evidence) out.push(row('-', md.evidence.baseline, ' ', `(no prompt, ${md.evidence.examples.length} ${on})`));
  for (const d of md.descriptions) out.push(row('you', d, d.tiedWithBest ? '≈' : ' ', JSON.stringify(d.text)));
  out.push(`≈: cannot be told apart from the best (paired bootstrap over the same ${on}, 95%).`);
  if (md.verdict) out.push('', md.verdict.message);
  out.push('', `${md.steps} steps (${md.stopped_by}), ${md.pool_size} prompts in the pool, ${(md.tokens / 1e6).toFixed(2)}M tokens, ${md.train_time_elapsed.toFixed(1)} s searching + ${md.rank_time_elapsed.toFixed(1)} s ranking and explaining`);
  return out.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { flags, lists, search } = parseArgs(argv, VALUE_FLAGS, BOOLEAN_FLAGS, REPEATABLE_FLAGS);
  const descriptions = lists.get('score') ?? [];
  for (const d of descriptions) if (d.trim() === '') throw new UsageError('--score needs a description to score, got an empty one.');
  if (flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const json = flags.has('json');
  const quiet = flags.has('quiet');
  const data = await loadData(flags);
  const onServer = await explainOnServer(flags, data, search, descriptions, { json, quiet, log: (s: string) => !quiet && process.stderr.write(s + '\n') });
  if (onServer !== null) return onServer;
  const modelName = stringFlag(flags, 'model') ?? DEFAULT_MODEL;
  const runtime = (stringFlag(flags, 'runtime') ?? 'auto') as NodeRuntime | 'auto';
  if (!['auto', 'native', 'wasm'].includes(runtime)) throw new UsageError(`--runtime takes auto, native or wasm, got '${runtime}'`);
  const log = (s: string) => !quiet && process.stderr.write(s + '\n');
  log(`data: ${data.label}`);
  const { model, runtime: used } = await loadCliModel(modelName, {
    runtime,
    dtype: stringFlag(flags, 'dtype') as never,
    threads: intFlag(flags, 'threads', 2),
    onProgress: quiet ? undefined : (p) => process.stderr.isTTY && process.stderr.write(`\rloading ${modelName}: ${formatBytes(p.loaded)} of ${formatBytes(p.total)}   `),
  });
  if (!quiet && process.stderr.isTTY) process.stderr.write('\r'.padEnd(60) + '\r');
  log(`model: ${model.info.name} (${model.info.dtype}, ${used === 'native' ? 'onnxruntime-node CPU' : 'onnxruntime-web WASM'}, ${intFlag(flags, 'threads', 2)} threads)`);

  const result = await runSearch(searchModelOf(model.engine, model.tokenizer), data, search, descriptions, quiet);
  await model.dispose();
  return report(result, { model: model.info.name, dtype: model.info.dtype, runtime: used, data: data.label }, flags, json);
}

type SearchArgs = ReturnType<typeof parseArgs>['search'];

/** The search with progress on stderr; Ctrl-C stops after the step, twice quits. */
async function runSearch(lm: SearchLanguageModel, data: { inputs: string[]; outputs: string[] }, search: SearchArgs, descriptions: string[], quiet: boolean): Promise<ExplainResult> {
  const run = startSearch(lm, data.inputs, data.outputs, search, { onEvent: progressPrinter(quiet), descriptions });
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nstopping after this step (Ctrl-C again to quit now)\n');
    run.stop();
  };
  process.on('SIGINT', onSigint);
  try {
    return await run.result;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function report(result: ExplainResult, extra: Record<string, string>, flags: Map<string, string | true>, json: boolean): Promise<number> {
  const out = stringFlag(flags, 'out');
  if (out) await writeFile(out, JSON.stringify(exportResult(result, extra), null, 2) + '\n');
  if (json) process.stdout.write(JSON.stringify(exportResult(result, extra)) + '\n');
  else process.stdout.write(table(result, intFlag(flags, 'top', 10)) + '\n');
  return 0;
}

/** The same search with a vLLM server as the language model; the tokenizer stays here. */
async function explainOnServer(
  flags: Map<string, string | true>,
  data: { inputs: string[]; outputs: string[]; label: string },
  search: SearchArgs,
  descriptions: string[],
  o: { json: boolean; quiet: boolean; log: (s: string) => void },
): Promise<number | null> {
  const served = await serverFromFlags(flags, ['model', 'dtype', 'runtime', 'threads']);
  if (!served) return null;
  const { remote, tokenizerSource } = served;
  o.log(`data: ${data.label}`);
  o.log(`model: ${remote.info.model} on the vLLM server at ${remote.info.url} (tokenizer: ${tokenizerSource}, checked by the server's ${remote.info.tokenizerCheck}); the data is sent to that server`);
  const result = await runSearch(remote, data, search, descriptions, o.quiet);
  if (remote.client.retriesMade) o.log(`${remote.client.retriesMade} requests were retried (429, 5xx, timeouts or dropped connections)`);
  // The address stays out of the result (it is often private); the model name is what it measured.
  return report(result, { model: remote.info.model, runtime: 'vllm-server', data: data.label }, flags, o.json);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    const usage = err instanceof UsageError || err.name === 'OptionsError' || err.name === 'DataError' || err instanceof DataParseError;
    process.stderr.write(`error: ${err.message}\n`);
    if (err instanceof RemoteError) process.stderr.write(`${err.remedy}\n`);
    if (!usage && process.env.DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exit(usage ? 2 : 1);
  },
);
