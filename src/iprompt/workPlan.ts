/**
 * How much work a run will do, counted before it starts, and how long that takes at a model's
 * measured speed (src/engine/throughput.ts, measured at load). The counts follow the search's
 * structure (search.ts): every step scores (P + R) x (1 + M) candidates on one batch of rows and
 * generates R fresh proposals and M x (P + R) mutation tails; the first step also proposes the
 * initial population; the final ranking scores the best final_rerank_top_k on the evaluation
 * examples. Token lengths come from the model's own tokenizer on the run's prepared rows (the
 * same rows, from the same seed), averaged over a sample.
 *
 * It is an upper bound where the search can stop early (early_stopping_steps) or skips work (a
 * candidate that repeats another is scored once; equal cleaned wordings merge), and an estimate
 * where the search is random (a mutation keeps between 0 and T - 1 of its parent's tokens: on
 * average (T - 1) / 2). The test compares it with the work real runs did (workPlan.test.ts).
 */
import { plannedSteps, prepareData } from './data.ts';
import type { SearchLanguageModel } from './languageModel.ts';
import { resolveOptions, type IPromptOptionsInput } from './options.ts';
import { postDataText, preDataText } from './proposals.ts';
import { scoringContext, cutTokens, type CutSide } from './template.ts';
import { SeededRandom } from '../util/random.ts';

export interface WorkPlan {
  /** Steps the run takes at most (it may stop early). */
  steps: number;
  candidatesPerStep: number;
  /** Scored rows (a candidate on one example) per step. */
  rowsPerStep: number;
  /** Tokens scored per step (context and continuation of every scored row). */
  tokensPerStep: number;
  /** The whole run: tokens scored (steps and final ranking) and fed before generating (prefill). */
  scoredTokens: number;
  prefillTokens: number;
  /** The whole run's decoding passes (one new token for every row of a call) and their rows summed. */
  passes: number;
  passRows: number;
  /** The part of the totals done after the last step: the final ranking and the explanations. */
  final: Work;
}

export interface Work {
  scoredTokens: number;
  prefillTokens: number;
  passes: number;
  passRows: number;
}

/** A model's speed as throughput.ts measures it (plain numbers, so the search needs no runtime). */
export interface Speed {
  scoreTokensPerSecond: number;
  passMs: { fixed: number; perRow: number };
}

const SAMPLE = 64;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function planWork(model: Pick<SearchLanguageModel, 'encode'>, inputs: readonly string[], outputs: readonly string[], options: IPromptOptionsInput): WorkPlan {
  const o = resolveOptions(options);
  const data = prepareData(inputs, outputs, o, SeededRandom.search(o.seed));
  const enc = (text: string, side: CutSide) => cutTokens(model.encode(text), o.max_length, side);
  const T = o.num_learned_tokens;
  const P = o.pop_size;
  const R = o.num_random_generations;
  const M = o.num_mutations;
  const prompt = new Array<number>(T).fill(0);

  // Mean tokens of a scored row (the prompt's T included) and of a proposal context, on a sample.
  const rows = data.rows.slice(0, SAMPLE);
  const scoredRow = (input: string, output: string) => scoringContext(prompt, input, o, enc).length + enc(output, 'right').length;
  const rowTokens = mean(rows.map((r) => scoredRow(o.single_shot_loss ? r.lastInput : r.input, r.output)));
  const contextTokens = enc(preDataText(o), 'right').length + mean(rows.map((r) => enc(r.text, 'right').length)) + enc(postDataText(o), 'right').length;

  // Batch sizes step by step, as plannedSteps walks the epochs.
  const steps = plannedSteps(data.rows.length, o);
  const perEpoch = Math.ceil(data.rows.length / o.batch_size);
  let examplesScored = 0;
  for (let s = 0; s < steps; s++) {
    const b = s % perEpoch;
    examplesScored += b < perEpoch - 1 ? o.batch_size : data.rows.length - o.batch_size * (perEpoch - 1);
  }
  const candidatesPerStep = (P + R) * (1 + M);
  const batch = Math.min(o.batch_size, data.rows.length);

  // Generation per step: R proposals of T tokens; M x (P + R) mutation tails after a context that
  // keeps (T - 1) / 2 of the parent's tokens on average, (T + 1) / 2 new ones. The first new token
  // comes from the prefill pass; each further one is a decoding pass over the call's rows.
  const kept = (T - 1) / 2;
  const calls: { rows: number; context: number; newTokens: number; times: number }[] = [
    { rows: P, context: contextTokens, newTokens: T, times: 1 },
    { rows: R, context: contextTokens, newTokens: T, times: steps },
    { rows: M * (P + R), context: contextTokens + kept, newTokens: T - kept, times: steps },
  ].filter((c) => c.rows > 0 && c.newTokens > 0);
  const prefillTokens = calls.reduce((s, c) => s + c.times * c.rows * c.context, 0);
  const passes = calls.reduce((s, c) => s + c.times * (c.newTokens - 1), 0);
  const passRows = calls.reduce((s, c) => s + c.times * (c.newTokens - 1) * c.rows, 0);

  // Final ranking: the empty prompt and up to final_rerank_top_k prompts on the evaluation
  // examples; then the explanations: the top n_explanations prompts' shorter wordings (about one
  // per two tokens) scored, and greedy answers with each and with no prompt, one call per output
  // length (as many new tokens as the output has).
  const evalSet = data.heldOut.length ? data.heldOut : data.rows.slice(0, o.n_eval).map((r) => ({ input: o.single_shot_loss ? r.lastInput : r.input, output: r.output }));
  // Each evaluation output's tokens once: the greedy calls group by them; a sample's mean sizes the rows.
  const outputLengths = evalSet.map((e) => enc(e.output, 'right').length);
  const evalContext = mean(evalSet.slice(0, SAMPLE).map((e) => scoringContext(prompt, e.input, o, enc).length));
  const evalTokens = evalContext + mean(outputLengths.slice(0, SAMPLE));
  const ranked = o.do_final_reranking ? Math.min(o.final_rerank_top_k, steps * candidatesPerStep) : 0;
  const explained = Math.min(o.n_explanations, Math.max(ranked, steps * candidatesPerStep));
  const wordings = o.clean_explanations ? explained * Math.ceil(T / 2) : 0;
  const rankingTokens = (1 + ranked + wordings) * evalSet.length * evalTokens;
  const byLength = new Map<number, number>();
  for (const length of outputLengths) {
    const n = Math.max(1, length);
    byLength.set(n, (byLength.get(n) ?? 0) + 1);
  }
  const answers = explained + 1;
  const evidencePrefill = answers * evalSet.length * evalContext;
  let evidencePasses = 0;
  let evidencePassRows = 0;
  for (const [n, count] of byLength) {
    evidencePasses += answers * (n - 1);
    evidencePassRows += answers * (n - 1) * count;
  }

  return {
    steps,
    candidatesPerStep,
    rowsPerStep: candidatesPerStep * batch,
    tokensPerStep: candidatesPerStep * batch * rowTokens,
    scoredTokens: candidatesPerStep * examplesScored * rowTokens + rankingTokens,
    prefillTokens: prefillTokens + evidencePrefill,
    passes: passes + evidencePasses,
    passRows: passRows + evidencePassRows,
    final: { scoredTokens: rankingTokens, prefillTokens: evidencePrefill, passes: evidencePasses, passRows: evidencePassRows },
  };
}

/** Seconds the planned work takes at `speed`: tokens scored and prefilled at the scoring rate, plus every decoding pass. */
export function planSeconds(plan: Work, speed: Speed): number {
  const tokens = (plan.scoredTokens + plan.prefillTokens) / speed.scoreTokensPerSecond;
  const passes = (plan.passes * speed.passMs.fixed + plan.passRows * speed.passMs.perRow) / 1000;
  return tokens + passes;
}
