/**
 * npm run bench:recovery -- [--seeds 1,2,3] [--tasks math|words|all|add_two,...] [--json] [--model M]
 *                           [--runtime auto|native|wasm] [any search option, e.g. --max_n_steps 10]
 *                           [--server URL --server-model NAME [--server-tokenizer T]]  (a vLLM server; docs/server.md)
 *
 * Does the search recover each task's rule (the paper's ten math tasks unless --tasks says
 * otherwise)? For every task and seed: the search with the default settings (plus any options given), and the paper's single-sample "suffix" baseline
 * (prompts sampled straight after the Data:/Prompt: context, in sampling order, no scoring).
 * Each ranked list is judged with the task's keyword pattern: reciprocal rank of the first
 * correct prompt (0 when none is), mean reciprocal rank (MRR) and top-1 rate, as in the paper.
 *
 * Cleaning, measured in the same runs: iPrompt's list is the explanations (cleaned and merged, the
 * top n_explanations), then the prompts as found below them; "as found" is the ranked prompts with
 * no cleaning (clean_explanations off gives that list; the search itself is the same). For the
 * top-1 explanation: whether cleaning changed it, its length in words before and after, and
 * whether it ends in a stray token (a last word that no description in the task suite uses).
 */
import { parseArgs, stringFlag, intFlag } from '../src/cli/args.ts';
import { loadCliModel, type NodeRuntime } from '../src/cli/nodeRuntime.ts';
import { SERVER_FLAGS, serverFromFlags } from '../src/cli/serverModel.ts';
import { AMBIGUOUS_PAIRS, getTask, MATH_TASKS, TASKS, taskPairs, WORD_TASKS, type Task } from '../src/datasets/tasks/index.ts';
import { DEFAULT_MODEL } from '../src/engine/shippedModels.ts';
import { searchModelOf } from '../src/bridge/searchModel.ts';
import { resolveOptions, sampleProposals, startSearch, type ExplainResult } from '../src/iprompt/index.ts';
import { trimDangling } from '../src/iprompt/clean.ts';

const { flags, search } = parseArgs(process.argv.slice(2), new Set(['seeds', 'tasks', 'model', 'runtime', 'threads', 'baseline_samples', ...SERVER_FLAGS]), new Set(['json']));
const seeds = (stringFlag(flags, 'seeds') ?? '1,2,3').split(',').map(Number);
const TASK_GROUPS: Record<string, readonly Task[]> = { math: MATH_TASKS, words: WORD_TASKS, all: TASKS };
const tasks = (() => {
  try {
    return (stringFlag(flags, 'tasks') ?? 'math').split(',').flatMap((t) => TASK_GROUPS[t] ?? [getTask(t)]);
  } catch (err) {
    process.stderr.write(`bench:recovery: ${(err as Error).message} (or a group: math, words, all)\n`);
    process.exit(2);
  }
})();
const json = flags.has('json');
const served = await serverFromFlags(flags, ['model', 'runtime', 'threads']).catch((err: Error) => {
  process.stderr.write(`bench:recovery: ${err.message}\n${(err as { remedy?: string }).remedy ?? ''}\n`);
  process.exit(2);
});
const modelName = served ? served.remote.info.model : (stringFlag(flags, 'model') ?? DEFAULT_MODEL);
const options = resolveOptions(search);
const baselineSamples = intFlag(flags, 'baseline_samples', options.pop_size);
const log = (s: string) => process.stderr.write(s + '\n');

const local = served ? null : await loadCliModel(modelName, { runtime: (stringFlag(flags, 'runtime') ?? 'auto') as NodeRuntime, threads: intFlag(flags, 'threads', 2) });
const runtime = local ? local.runtime : 'vllm-server';
const lm = served ? served.remote : searchModelOf(local!.model.engine, local!.model.tokenizer);

const rr = (prompts: readonly string[], isCorrect: (p: string) => boolean) => {
  const i = prompts.findIndex(isCorrect);
  return i < 0 ? 0 : 1 / (i + 1);
};

/** Every word any description of the suite uses: a last word outside it is a stray token. */
const VOCABULARY = new Set(TASKS.flatMap((t) => t.descriptions.flatMap((d) => words(d))));
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
/**
 * A stray tail, judged from the text alone: anything after a sentence's end (" Compute a + b. two"),
 * a dangling end (" Add the two numbers,"), or a last word no description in the suite uses
 * (" Compute a + b.arts"). A proxy: a tail made of the suite's own words goes unnoticed.
 */
const endsStray = (text: string) => {
  const w = words(text);
  return w.length === 0 || trimDangling(text) !== text || /[.!?]\s*[\p{L}\p{N}]/u.test(text) || !VOCABULARY.has(w[w.length - 1]);
};

/** The explanations, then the prompts as found ranked below the ones they were made from. */
function cleanedList(r: ExplainResult): string[] {
  const md = r.metadata;
  return [...md.explanations.map((e) => e.text), ...md.ranked.slice(md.options.n_explanations).map((p) => p.text)];
}

interface Row {
  task: string;
  seed: number;
  iprompt: { rr: number; top: string; steps: number; stoppedBy: string; seconds: number; accuracy: number; baselineAccuracy: number | null; explained: boolean };
  /** The same run's ranked prompts as found (cleaning off). */
  asFound: { rr: number; top: string };
  cleaning: { before: string; changed: boolean; wordsBefore: number; wordsAfter: number; strayBefore: boolean; strayAfter: boolean };
  baseline: { rr: number; first: string };
}
const rows: Row[] = [];
const started = performance.now();
for (const seed of seeds) {
  for (const task of tasks) {
    const { inputs, outputs } = taskPairs(task.id, { seed });
    const t0 = performance.now();
    const result = await startSearch(lm, inputs, outputs, { ...search, seed }).result;
    const seconds = (performance.now() - t0) / 1000;
    const proposals = await sampleProposals(lm, inputs, outputs, { ...search, seed }, baselineSamples);
    const md = result.metadata;
    const list = cleanedList(result);
    const found = md.ranked.map((p) => p.text);
    const top = md.explanations[0];
    const before = top?.variants[0]?.text ?? '';
    const row: Row = {
      task: task.id,
      seed,
      iprompt: { rr: rr(list, (p) => task.isCorrect(p)), top: list[0] ?? '', steps: md.steps, stoppedBy: md.stopped_by, seconds, accuracy: top?.accuracy ?? 0, baselineAccuracy: md.baseline?.accuracy ?? null, explained: md.verdict?.explained ?? false },
      asFound: { rr: rr(found, (p) => task.isCorrect(p)), top: found[0] ?? '' },
      cleaning: { before, changed: top?.cleaned ?? false, wordsBefore: words(before).length, wordsAfter: words(top?.text ?? '').length, strayBefore: endsStray(before), strayAfter: endsStray(top?.text ?? '') },
      baseline: { rr: rr(proposals, (p) => task.isCorrect(p)), first: proposals[0] ?? '' },
    };
    rows.push(row);
    log(`seed ${seed} ${task.id.padEnd(14)} iPrompt RR ${row.iprompt.rr.toFixed(2)} ${JSON.stringify(row.iprompt.top)} (as found: RR ${row.asFound.rr.toFixed(2)} ${JSON.stringify(before)}; ${row.iprompt.steps} steps, ${seconds.toFixed(0)} s) | baseline RR ${row.baseline.rr.toFixed(2)} ${JSON.stringify(row.baseline.first)}`);
  }
}
await local?.model.dispose();

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const summary = (pick: (r: Row) => number) => ({ mrr: mean(rows.map(pick)), top1: mean(rows.map((r) => (pick(r) === 1 ? 1 : 0))) });
const perTask = tasks.map((t) => {
  const rs = rows.filter((r) => r.task === t.id);
  return { task: t.id, iprompt: { mrr: mean(rs.map((r) => r.iprompt.rr)), top1: mean(rs.map((r) => (r.iprompt.rr === 1 ? 1 : 0))) }, baseline: { mrr: mean(rs.map((r) => r.baseline.rr)), top1: mean(rs.map((r) => (r.baseline.rr === 1 ? 1 : 0))) } };
});
const perSeedTop1 = Object.fromEntries(seeds.map((s) => [s, rows.filter((r) => r.seed === s && r.iprompt.rr === 1).length]));
const report = {
  model: modelName,
  runtime,
  seeds,
  tasks: tasks.map((t) => t.id),
  options,
  baselineSamples,
  iprompt: summary((r) => r.iprompt.rr),
  asFound: summary((r) => r.asFound.rr),
  baseline: summary((r) => r.baseline.rr),
  cleaning: {
    tolerance: options.clean_tolerance,
    changedShare: mean(rows.map((r) => (r.cleaning.changed ? 1 : 0))),
    meanWordsBefore: mean(rows.map((r) => r.cleaning.wordsBefore)),
    meanWordsAfter: mean(rows.map((r) => r.cleaning.wordsAfter)),
    strayShareBefore: mean(rows.map((r) => (r.cleaning.strayBefore ? 1 : 0))),
    strayShareAfter: mean(rows.map((r) => (r.cleaning.strayAfter ? 1 : 0))),
    strayAfter: rows.filter((r) => r.cleaning.strayAfter).map((r) => `${r.task}/${r.seed}: ${JSON.stringify(r.iprompt.top)}`),
  },
  explainedShare: mean(rows.map((r) => (r.iprompt.explained ? 1 : 0))),
  perSeedTop1,
  perTask,
  rows,
  ambiguousPairs: AMBIGUOUS_PAIRS,
  seconds: (performance.now() - started) / 1000,
};

if (json) {
  process.stdout.write(JSON.stringify(report) + '\n');
} else {
  const pct = (x: number) => x.toFixed(2);
  const lines = [
    `Recovery of ${tasks.length} tasks (${modelName}, ${runtime}, seeds ${seeds.join(',')}; baseline = first ${baselineSamples} proposals in sampling order)`,
    '',
    `${'task'.padEnd(15)} ${'iPrompt MRR'.padStart(11)} ${'top-1'.padStart(6)}   ${'suffix MRR'.padStart(10)} ${'top-1'.padStart(6)}   top prompt (seed ${seeds[0]})`,
    ...perTask.map((p) => {
      const first = rows.find((r) => r.task === p.task && r.seed === seeds[0])!;
      return `${p.task.padEnd(15)} ${pct(p.iprompt.mrr).padStart(11)} ${pct(p.iprompt.top1).padStart(6)}   ${pct(p.baseline.mrr).padStart(10)} ${pct(p.baseline.top1).padStart(6)}   ${JSON.stringify(first.iprompt.top)}`;
    }),
    `${'all'.padEnd(15)} ${pct(report.iprompt.mrr).padStart(11)} ${pct(report.iprompt.top1).padStart(6)}   ${pct(report.baseline.mrr).padStart(10)} ${pct(report.baseline.top1).padStart(6)}`,
    '',
    `prompts as found (clean_explanations off, same runs): MRR ${pct(report.asFound.mrr)}, top-1 ${pct(report.asFound.top1)}`,
    `cleaning (clean_tolerance ${options.clean_tolerance}): changed ${pct(report.cleaning.changedShare)} of top-1 explanations; mean words ${report.cleaning.meanWordsBefore.toFixed(2)} -> ${report.cleaning.meanWordsAfter.toFixed(2)}; ` +
      `ending in a stray token ${pct(report.cleaning.strayShareBefore)} -> ${pct(report.cleaning.strayShareAfter)}${report.cleaning.strayAfter.length ? ` (${report.cleaning.strayAfter.join('; ')})` : ''}`,
    `verdict "explained" on ${pct(report.explainedShare)} of runs`,
    `rank-1 recoveries per seed: ${seeds.map((s) => `seed ${s}: ${perSeedTop1[s]}/${tasks.length}`).join(', ')}`,
    `${rows.length} runs in ${(report.seconds / 60).toFixed(1)} min. Ambiguous pairs (outputs share a prefix): ${AMBIGUOUS_PAIRS.map((p) => `${p[0]}/${p[1]}`).join(', ')}.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
