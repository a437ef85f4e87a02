/**
 * The final ranking (reference section 2.7, with the held-out split of DEVIATIONS), the
 * no-prompt baseline, and then the explanations built from the ranking (explanations.ts).
 */
import type { Example, PreparedData } from './data.ts';
import type { Evaluator } from './evaluation.ts';
import { summarise } from './evaluation.ts';
import { buildExplanations, type ExplanationsResult } from './explanations.ts';
import type { IPromptOptions } from './options.ts';
import type { PoolEntry, PromptPool } from './pool.ts';
import type { SearchRun } from './runControl.ts';
import type { ExampleResults } from './stats.ts';
import type { Baseline, ExplainMetadata, RankedPrompt, RankingPhase, SearchEvent } from './types.ts';

export interface RankingStage {
  pool: PromptPool;
  evaluator: Evaluator;
  encode: (text: string) => number[];
  options: IPromptOptions;
  data: PreparedData;
  handle: SearchRun;
  emit: (e: SearchEvent) => void;
  descriptions: readonly string[];
}

export interface RankingResult extends ExplanationsResult {
  ranked: RankedPrompt[];
  ranking: ExplainMetadata['ranking'];
  baseline: Baseline;
}

function rankedOf(e: PoolEntry, loss: number, accuracy: number): RankedPrompt {
  return { text: e.text, ids: [...e.ids], loss, accuracy, timesScored: e.losses.length, trainLoss: e.meanLoss, trainAccuracy: e.meanAccuracy, firstStep: e.firstStep, origin: e.origin };
}

/**
 * With do_final_reranking: the best final_rerank_top_k prompts by mean loss (scored on at least
 * final_rerank_min_batches batches) are re-scored on the held-out examples and sorted by
 * accuracy, then loss. Otherwise every scored prompt by running accuracy, then loss. Then the
 * explanations, on the same examples.
 */
export async function finalRanking(s: RankingStage): Promise<RankingResult> {
  const o = s.options;
  const { data, evaluator } = s;
  const progress = (phase: RankingPhase) => (done: number, total: number) => s.emit({ type: 'ranking', done, total, phase });
  const scored = s.pool.all().filter((e) => e.losses.length > 0);
  // pool.all() is in arrival order and sort is stable, so equal losses keep the earlier prompt first.
  const byLoss = (a: PoolEntry, b: PoolEntry) => a.meanLoss - b.meanLoss;
  const heldOut = data.heldOut.length > 0;
  const evalSet: Example[] = heldOut ? data.heldOut : data.rows.slice(0, o.n_eval).map((r) => ({ input: o.single_shot_loss ? r.lastInput : r.input, output: r.output }));
  const tokens = evaluator.outputTokens(evalSet);
  // The empty prompt under the scoring template, so the baseline differs from a prompted score only by the prompt's tokens.
  const [baselineResults] = await evaluator.perExample([[]], evalSet);

  let ranked: RankedPrompt[];
  let perExample: (ExampleResults | undefined)[];
  let ranking: ExplainMetadata['ranking'];
  if (!o.do_final_reranking || scored.length === 0) {
    ranked = scored.sort((a, b) => b.meanAccuracy - a.meanAccuracy || byLoss(a, b)).map((e) => rankedOf(e, e.meanLoss, e.meanAccuracy));
    perExample = ranked.map(() => undefined);
    ranking = 'running_means';
  } else {
    let cands = scored.filter((e) => e.losses.length >= o.final_rerank_min_batches).sort(byLoss);
    if (cands.length === 0) cands = scored.sort(byLoss);
    cands = cands.slice(0, o.final_rerank_top_k);
    const rows: { p: RankedPrompt; r: ExampleResults }[] = [];
    // Small groups so progress streams and a second stop() can cut the ranking short.
    const group = Math.max(1, Math.floor(2048 / evalSet.length));
    let partial = false;
    const report = progress('rerank');
    report(0, cands.length);
    for (let i = 0; i < cands.length; i += group) {
      if (s.handle.stopsDuringRanking > 0 && rows.length > 0) {
        partial = true;
        break;
      }
      const slice = cands.slice(i, i + group);
      const results = await evaluator.perExample(slice.map((e) => e.ids), evalSet);
      slice.forEach((e, j) => {
        const m = summarise(results[j], tokens);
        rows.push({ p: rankedOf(e, m.loss, m.accuracy), r: results[j] });
      });
      report(rows.length, cands.length);
    }
    // Array.prototype.sort is stable: ties keep the candidates' order (mean loss, then arrival).
    rows.sort((a, b) => b.p.accuracy - a.p.accuracy || a.p.loss - b.p.loss);
    ranked = rows.map((x) => x.p);
    perExample = rows.map((x) => x.r);
    ranking = partial ? 'partial' : 'held_out';
  }

  const explained = await buildExplanations(
    ranked.map((p, i) => ({ ...p, perExample: perExample[i] })),
    s.descriptions,
    {
      evaluator,
      encode: s.encode,
      options: o,
      examples: evalSet,
      split: heldOut ? 'held_out' : 'training_rows',
      baseline: baselineResults,
      cutShort: () => s.handle.stopsDuringRanking > 0,
      onProgress: (done, total, phase) => progress(phase)(done, total),
    },
  );
  const b = explained.evidence.baseline;
  const baseline: Baseline = { loss: b.loss, accuracy: b.accuracy, examples: evalSet.length, lossInterval: b.lossInterval, accuracyInterval: b.accuracyInterval };
  return { ranked, ranking, baseline, ...explained };
}
