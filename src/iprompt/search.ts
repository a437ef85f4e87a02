/**
 * The iPrompt search (reference sections 2.2-2.7): propose prompts from the data, score every
 * candidate on the same batch, keep a pool of running means, mutate the best, stop, rank.
 * Runs over any SearchLanguageModel; streams every step; can be paused, resumed and stopped
 * between steps. One seed fixes every random choice.
 */
import { epochBatches, plannedSteps, prepareData, type Datapoint, type Example, type PreparedData } from './data.ts';
import type { ModelCallControl, ScoreRequest, ScoreResult, SearchLanguageModel } from './languageModel.ts';
import { resolveOptions, type IPromptOptions, type IPromptOptionsInput } from './options.ts';
import { keyOf, PromptPool, type Origin, type PoolEntry } from './pool.ts';
import { postDataText, preDataText, Prompter } from './proposals.ts';
import { SearchRandom } from './random.ts';
import { scoringContext, type CutSide } from './template.ts';

export type CandidateKind = 'population' | 'proposal' | 'mutation';

export interface ScoredCandidate {
  ids: number[];
  text: string;
  kind: CandidateKind;
  /** For mutations: the prompt it was cut from (text and ids), and how many of its tokens were kept. */
  parent?: string;
  parentIds?: number[];
  truncateAt?: number;
  loss: number;
  accuracy: number;
}

export interface PoolSnapshot {
  text: string;
  ids: number[];
  meanLoss: number;
  meanAccuracy: number;
  timesScored: number;
  firstStep: number;
  origin: Origin;
  /** The parent's text, for mutations. */
  parentText?: string;
}

export interface RankedPrompt {
  text: string;
  ids: number[];
  /** Held-out mean output NLL (or the running mean when there was no final ranking). */
  loss: number;
  /** Held-out exact-match accuracy (or the running mean). */
  accuracy: number;
  /** Batches it was scored on during the search. */
  timesScored: number;
  trainLoss: number;
  trainAccuracy: number;
  firstStep: number;
  origin: Origin;
}

export interface Baseline {
  /** Mean output NLL and exact-match accuracy of the empty prompt (`. input` with prefix_before_input), on the same examples as the ranking. */
  loss: number;
  accuracy: number;
  examples: number;
}

export interface DatasetSizes {
  examples: number;
  trainExamples: number;
  heldOutExamples: number;
  rows: number;
  batchesPerEpoch: number;
  plannedSteps: number;
  candidatesPerStep: number;
}

export type StopReason = 'n_epochs' | 'max_n_datapoints' | 'max_n_steps' | 'early_stopping' | 'stopped';

export interface StepEvent {
  type: 'step';
  step: number;
  epoch: number;
  examplesSeen: number;
  plannedSteps: number;
  /** The one truncation position of this step's mutations. */
  truncateAt: number;
  candidates: ScoredCandidate[];
  /** The pool's best prompts by pop_criterion, with running means and counts. */
  top: PoolSnapshot[];
  best: PoolSnapshot;
  /** Lowest candidate loss and highest candidate accuracy of this step. */
  stepLoss: number;
  stepAccuracy: number;
  poolSize: number;
  tokens: number;
  elapsedMs: number;
  tokensPerSecond: number;
  /** Steps with an unchanged top five (early stopping), when it is on (early_stopping_steps other than -1). */
  unchangedSteps: number;
}

export type SearchEvent =
  | { type: 'start'; options: IPromptOptions; sizes: DatasetSizes }
  | StepEvent
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'ranking'; done: number; total: number }
  | { type: 'done'; result: ExplainResult };

export interface ExplainMetadata {
  /** The ranked prompts with their scores, aligned with `prompts`. */
  ranked: RankedPrompt[];
  prefixes: string[];
  prefix_ids: number[][];
  prefix_train_loss: number[];
  prefix_train_acc: number[];
  prefix_n_queries: number[];
  /** Held-out loss and accuracy (null without a final ranking). */
  prefix_test_loss: number[] | null;
  prefix_test_acc: number[] | null;
  baseline: Baseline | null;
  /** Per step: the lowest candidate loss and the highest number of correct rows. */
  all_losses: number[];
  all_n_correct: number[];
  options: IPromptOptions;
  sizes: DatasetSizes;
  steps: number;
  stopped_by: StopReason;
  ranking: 'held_out' | 'running_means' | 'partial';
  pool_size: number;
  tokens: number;
  pre_data_prompt_str: string;
  post_data_prompt_str: string;
  train_start_time: string;
  train_end_time: string;
  /** Seconds searching (pauses excluded), then ranking. */
  train_time_elapsed: number;
  rank_time_elapsed: number;
}

export interface ExplainResult {
  /** Best first. */
  prompts: string[];
  metadata: ExplainMetadata;
}

export interface SearchHooks {
  onEvent?: (event: SearchEvent) => void;
  /** Aborts at once (the run rejects); stop() instead ends it cleanly with a ranking. */
  signal?: AbortSignal;
}

export type RunState = 'running' | 'pausing' | 'paused' | 'stopping' | 'ranking' | 'done' | 'failed';

/** A running search: pause, resume and stop take effect between steps. */
export class SearchRun {
  readonly result: Promise<ExplainResult>;
  private _state: RunState = 'running';
  private wake: (() => void) | null = null;
  private stopRequested = false;
  /** @internal stop() calls that arrived during the final ranking. */
  stopsDuringRanking = 0;

  constructor(model: SearchLanguageModel, inputs: readonly string[], outputs: readonly string[], options: IPromptOptionsInput = {}, hooks: SearchHooks = {}) {
    const o = resolveOptions(options);
    this.result = new Search(model, o, hooks, this).run(inputs, outputs).then(
      (r) => {
        this._state = 'done';
        return r;
      },
      (err) => {
        this._state = 'failed';
        throw err;
      },
    );
  }

  get state(): RunState {
    return this._state;
  }

  pause(): void {
    if (this._state === 'running') this._state = 'pausing';
  }

  resume(): void {
    if (this._state === 'pausing') this._state = 'running';
    if (this._state === 'paused') {
      this._state = 'running';
      this.wake!();
    }
  }

  /** Ends the search after the current step; the final ranking still runs (stop again to cut it short). */
  stop(): void {
    if (this._state === 'ranking') this.stopsDuringRanking++;
    this.stopRequested = true;
    this.wake?.(); // set only while paused
    if (this._state !== 'done' && this._state !== 'failed') this._state = this._state === 'ranking' ? 'ranking' : 'stopping';
  }

  /** @internal */
  get shouldStop(): boolean {
    return this.stopRequested;
  }

  /** @internal Called by the search before each step; resolves when it may go on. */
  async gate(onPaused: () => void, onResumed: () => void): Promise<void> {
    if (this._state !== 'pausing' || this.stopRequested) return;
    this._state = 'paused';
    // The waker exists before anyone hears of the pause, so a resume or stop from inside the
    // 'paused' event itself is not lost.
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    onPaused();
    await woken;
    this.wake = null;
    if (!this.stopRequested) onResumed();
  }

  /** @internal */
  setRanking(): void {
    this._state = 'ranking';
  }
}

/** Starts a search; see SearchRun. */
export function startSearch(model: SearchLanguageModel, inputs: readonly string[], outputs: readonly string[], options: IPromptOptionsInput = {}, hooks: SearchHooks = {}): SearchRun {
  return new SearchRun(model, inputs, outputs, options, hooks);
}

interface Candidate {
  ids: number[];
  kind: CandidateKind;
  origin: Origin;
  parent?: string;
  parentIds?: number[];
  truncateAt?: number;
}

class Search {
  private readonly rng: SearchRandom;
  private readonly pool: PromptPool;
  private readonly prompter: Prompter;
  private firstTokenChoices: number[] | undefined;
  private tokens = 0;
  private activeMs = 0;
  private readonly control: ModelCallControl;

  constructor(
    private readonly model: SearchLanguageModel,
    private readonly o: IPromptOptions,
    private readonly hooks: SearchHooks,
    private readonly handle: SearchRun,
  ) {
    this.rng = new SearchRandom(o.seed);
    this.pool = new PromptPool(o.pop_criterion, (ids) => model.decode(ids));
    this.control = { signal: hooks.signal, onTokens: (n) => (this.tokens += n) };
    this.prompter = new Prompter(model, o, this.rng, this.control);
  }

  private emit(e: SearchEvent): void {
    this.hooks.onEvent?.(e);
  }

  async run(inputs: readonly string[], outputs: readonly string[]): Promise<ExplainResult> {
    const o = this.o;
    const startTime = new Date();
    const data = prepareData(inputs, outputs, o, this.rng);
    if (o.mask_possible_answers) {
      const firsts = new Set<number>();
      for (const out of [...data.rows.map((r) => r.output), ...data.heldOut.map((e) => e.output)]) firsts.add(this.enc(out)[0]);
      this.firstTokenChoices = [...firsts].sort((a, b) => a - b);
    }
    const perEpoch = Math.ceil(data.rows.length / o.batch_size);
    const planned = plannedSteps(data.rows.length, o);
    const P = o.pop_size;
    const R = o.num_random_generations;
    const sizes: DatasetSizes = {
      examples: data.examples,
      trainExamples: data.trainExamples,
      heldOutExamples: data.heldOut.length,
      rows: data.rows.length,
      batchesPerEpoch: perEpoch,
      plannedSteps: planned,
      candidatesPerStep: (P + R) * (1 + o.num_mutations),
    };
    this.emit({ type: 'start', options: o, sizes });

    const allLosses: number[] = [];
    const allNCorrect: number[] = [];
    let step = 0;
    let seen = 0;
    let stoppedBy: StopReason = 'n_epochs';
    let lastTop: string | null = null;
    let unchanged = 0;
    const now = () => globalThis.performance.now();

    outer: for (let epoch = 0; epoch < o.n_epochs; epoch++) {
      for (const batchIdx of epochBatches(data.rows.length, o.batch_size, this.rng)) {
        // Let queued messages in (a worker's pause/stop, a terminal's Ctrl-C) before each step:
        // the runtime's promises can resolve as microtasks, which alone would starve them.
        await yieldToEventLoop();
        await this.handle.gate(
          () => this.emit({ type: 'paused', step }),
          () => this.emit({ type: 'resumed', step }),
        );
        if (this.handle.shouldStop) {
          stoppedBy = 'stopped';
          break outer;
        }
        const t0 = now();
        const batch = batchIdx.map((i) => data.rows[i]);
        const { candidates, truncateAt } = await this.candidates(batch, step);
        const scored = await this.scoreCandidates(candidates, batch);
        let stepLoss = Infinity;
        let stepCorrect = 0;
        for (const c of scored) {
          this.pool.update(c.ids, c.loss, c.accuracy, step + 1, c.origin);
          stepLoss = Math.min(stepLoss, c.loss);
          stepCorrect = Math.max(stepCorrect, Math.round(c.accuracy * batch.length));
        }
        allLosses.push(stepLoss);
        allNCorrect.push(stepCorrect);
        if (o.early_stopping_steps !== -1) {
          const top5 = this.topk(5, 3).map((e) => e.key);
          const set = [...new Set(top5)].sort().join('|');
          if (new Set(top5).size === 5 && set === lastTop) unchanged++;
          else {
            unchanged = 0;
            lastTop = set;
          }
        }
        step++;
        seen += batch.length;
        this.activeMs += now() - t0;
        const top = this.pool.topkAll(Math.max(10, P + 4)).map((e) => this.snapshot(e));
        this.emit({
          type: 'step',
          step,
          epoch,
          examplesSeen: seen,
          plannedSteps: planned,
          truncateAt,
          candidates: scored.map(({ origin: _o, ...c }) => c),
          top,
          best: top[0],
          stepLoss,
          stepAccuracy: stepCorrect / batch.length,
          poolSize: this.pool.size,
          tokens: this.tokens,
          elapsedMs: this.activeMs,
          tokensPerSecond: this.activeMs > 0 ? (this.tokens / this.activeMs) * 1000 : 0,
          unchangedSteps: unchanged,
        });
        if (seen > o.max_n_datapoints) {
          stoppedBy = 'max_n_datapoints';
          break outer;
        }
        if (step > o.max_n_steps) {
          stoppedBy = 'max_n_steps';
          break outer;
        }
        // As imodelsx's check_early_stop: only -1 turns it off; 0 (or another negative) stops after the first step.
        if (o.early_stopping_steps !== -1 && unchanged >= o.early_stopping_steps) {
          stoppedBy = 'early_stopping';
          break outer;
        }
      }
    }
    const trainEnd = new Date();
    const searchSeconds = this.activeMs / 1000;

    this.handle.setRanking();
    const r0 = now();
    const { ranked, ranking, baseline } = await this.finalRanking(data);
    const rankSeconds = (now() - r0) / 1000;
    const result: ExplainResult = {
      prompts: ranked.map((p) => p.text),
      metadata: {
        ranked,
        prefixes: ranked.map((p) => p.text),
        prefix_ids: ranked.map((p) => p.ids),
        prefix_train_loss: ranked.map((p) => p.trainLoss),
        prefix_train_acc: ranked.map((p) => p.trainAccuracy),
        prefix_n_queries: ranked.map((p) => p.timesScored),
        prefix_test_loss: ranking === 'running_means' ? null : ranked.map((p) => p.loss),
        prefix_test_acc: ranking === 'running_means' ? null : ranked.map((p) => p.accuracy),
        baseline,
        all_losses: allLosses,
        all_n_correct: allNCorrect,
        options: o,
        sizes,
        steps: step,
        stopped_by: stoppedBy,
        ranking,
        pool_size: this.pool.size,
        tokens: this.tokens,
        pre_data_prompt_str: preDataText(o),
        post_data_prompt_str: postDataText(o),
        train_start_time: startTime.toISOString(),
        train_end_time: trainEnd.toISOString(),
        train_time_elapsed: searchSeconds,
        rank_time_elapsed: rankSeconds,
      },
    };
    this.emit({ type: 'done', result });
    return result;
  }

  private enc(text: string, side: CutSide = 'right'): number[] {
    return this.prompter.enc(text, side);
  }

  private propose(contexts: number[][], newTokens: number): Promise<number[][]> {
    return this.prompter.propose(contexts, newTokens);
  }

  /** This step's candidates: the population, fresh proposals, and M mutated copies of each. */
  private async candidates(batch: Datapoint[], step: number): Promise<{ candidates: Candidate[]; truncateAt: number }> {
    const o = this.o;
    const T = o.num_learned_tokens;
    const P = o.pop_size;
    const randomContext = () => this.prompter.context(this.rng.choice(batch));
    if (step === 0) {
      // Initial population: proposals until the pool holds P distinct prompts (at most 10 rounds,
      // on the first step only, so a model that repeats itself is not asked again every step).
      // Each round asks for as many as are missing, so the pool never passes P.
      for (let round = 0; round < 10 && this.pool.size < P; round++) {
        const contexts = Array.from({ length: P - this.pool.size }, randomContext);
        for (const ids of await this.propose(contexts, T)) this.pool.add(ids, 0, { kind: 'initial' });
      }
    }
    const top = this.topk(P + 4, 0);
    const population: Candidate[] = this.rng.sample(top, Math.min(P, top.length)).map((e) => ({ ids: [...e.ids], kind: 'population', origin: e.origin }));
    const freshContexts = Array.from({ length: o.num_random_generations }, randomContext);
    const fresh: Candidate[] = freshContexts.length ? (await this.propose(freshContexts, T)).map((ids) => ({ ids, kind: 'proposal', origin: { kind: 'proposal' } })) : [];
    const base = [...population, ...fresh];
    const truncateAt = this.rng.intInclusive(0, T - 1);
    const mutated: Candidate[] = [];
    if (o.num_mutations > 0) {
      const parents = Array.from({ length: o.num_mutations }, () => base).flat();
      const contexts = parents.map((p) => [...randomContext(), ...p.ids.slice(0, truncateAt)]);
      const tails = await this.propose(contexts, T - truncateAt);
      parents.forEach((p, i) => {
        const parent = keyOf(p.ids);
        mutated.push({ ids: [...p.ids.slice(0, truncateAt), ...tails[i]], kind: 'mutation', origin: { kind: 'mutation', parent, truncateAt }, parent: this.model.decode(p.ids), parentIds: [...p.ids], truncateAt });
      });
    }
    return { candidates: [...base, ...mutated], truncateAt };
  }

  private topk(k: number, minOccurrences: number): PoolEntry[] {
    return this.o.pop_topk_strategy === 'all' ? this.pool.topkAll(k, minOccurrences) : this.pool.topkDifferentStartToken(k, minOccurrences, this.rng);
  }

  /** Scoring sequence of one prompt and one example: the template's context, then the output. */
  private scoreRequest(prompt: readonly number[], input: string, output: string): ScoreRequest {
    return { context: scoringContext(prompt, input, this.o, (text, side) => this.enc(text, side)), continuation: this.enc(output) };
  }

  /** Mean output NLL (over all output tokens) and exact-match accuracy of each prompt on the examples. */
  private async evaluate(prompts: readonly (readonly number[])[], examples: readonly { input: string; output: string }[]): Promise<{ loss: number; accuracy: number }[]> {
    // A prompt that occurs several times in one step (repeats in the population, mutations that
    // regrew the same tokens) gets the same score each time, as in the reference; it is computed once.
    const unique = new Map<string, number>();
    const distinct: (readonly number[])[] = [];
    const slot = prompts.map((p) => {
      const key = keyOf(p);
      let i = unique.get(key);
      if (i === undefined) {
        unique.set(key, (i = distinct.length));
        distinct.push(p);
      }
      return i;
    });
    const requests: ScoreRequest[] = [];
    for (const p of distinct) for (const e of examples) requests.push(this.scoreRequest(p, e.input, e.output));
    const results = await this.model.score(requests, { ...this.control, firstTokenChoices: this.firstTokenChoices });
    const scores = distinct.map((_, c) => summarise(results.slice(c * examples.length, (c + 1) * examples.length)));
    return slot.map((i) => scores[i]);
  }

  private async scoreCandidates(candidates: Candidate[], rows: Datapoint[]): Promise<(Candidate & ScoredCandidate)[]> {
    const examples = rows.map((r) => ({ input: this.o.single_shot_loss ? r.lastInput : r.input, output: r.output }));
    const scores = await this.evaluate(candidates.map((c) => c.ids), examples);
    return candidates.map((c, i) => ({ ...c, text: this.model.decode(c.ids), ...scores[i] }));
  }

  private snapshot(e: PoolEntry): PoolSnapshot {
    // A mutation's parent is always in the pool: the step records its population and proposals before its mutations.
    const parentText = e.origin.kind === 'mutation' ? this.pool.get(e.origin.parent)!.text : undefined;
    return { text: e.text, ids: [...e.ids], meanLoss: e.meanLoss, meanAccuracy: e.meanAccuracy, timesScored: e.losses.length, firstStep: e.firstStep, origin: e.origin, ...(parentText !== undefined ? { parentText } : {}) };
  }

  private ranked(e: PoolEntry, loss: number, accuracy: number): RankedPrompt {
    return { text: e.text, ids: [...e.ids], loss, accuracy, timesScored: e.losses.length, trainLoss: e.meanLoss, trainAccuracy: e.meanAccuracy, firstStep: e.firstStep, origin: e.origin };
  }

  /**
   * With do_final_reranking: the best final_rerank_top_k prompts by mean loss (scored on at least
   * final_rerank_min_batches batches) are re-scored on the held-out examples and sorted by
   * accuracy, then loss. Otherwise every scored prompt by running accuracy, then loss.
   */
  private async finalRanking(data: PreparedData): Promise<{ ranked: RankedPrompt[]; ranking: ExplainMetadata['ranking']; baseline: Baseline }> {
    const o = this.o;
    const scored = this.pool.all().filter((e) => e.losses.length > 0);
    // pool.all() is in arrival order and sort is stable, so equal losses keep the earlier prompt first.
    const byLoss = (a: PoolEntry, b: PoolEntry) => a.meanLoss - b.meanLoss;
    const evalSet: Example[] = data.heldOut.length > 0 ? data.heldOut : data.rows.slice(0, o.n_eval).map((r) => ({ input: o.single_shot_loss ? r.lastInput : r.input, output: r.output }));
    const baseline = await this.baseline(evalSet);
    if (!o.do_final_reranking || scored.length === 0) {
      const ranked = scored
        .sort((a, b) => b.meanAccuracy - a.meanAccuracy || byLoss(a, b))
        .map((e) => this.ranked(e, e.meanLoss, e.meanAccuracy));
      return { ranked, ranking: 'running_means', baseline };
    }
    let cands = scored.filter((e) => e.losses.length >= o.final_rerank_min_batches).sort(byLoss);
    if (cands.length === 0) cands = scored.sort(byLoss);
    cands = cands.slice(0, o.final_rerank_top_k);
    const results: RankedPrompt[] = [];
    // Small groups so progress streams and a second stop() can cut the ranking short.
    const group = Math.max(1, Math.floor(2048 / evalSet.length));
    let partial = false;
    this.emit({ type: 'ranking', done: 0, total: cands.length });
    for (let i = 0; i < cands.length; i += group) {
      if (this.handle.stopsDuringRanking > 0 && results.length > 0) {
        partial = true;
        break;
      }
      const slice = cands.slice(i, i + group);
      const scores = await this.evaluate(slice.map((e) => e.ids), evalSet);
      slice.forEach((e, j) => results.push(this.ranked(e, scores[j].loss, scores[j].accuracy)));
      this.emit({ type: 'ranking', done: results.length, total: cands.length });
    }
    // Array.prototype.sort is stable: ties keep the candidates' order (mean loss, then arrival).
    results.sort((a, b) => b.accuracy - a.accuracy || a.loss - b.loss);
    return { ranked: results, ranking: partial ? 'partial' : 'held_out', baseline };
  }

  /** `examples` is never empty: it is the held-out split or, without one, the first n_eval rows. */
  private async baseline(examples: readonly Example[]): Promise<Baseline> {
    // The empty prompt under the scoring template, so the baseline differs from a prompted score only by the prompt's tokens.
    const requests = examples.map((e) => this.scoreRequest([], e.input, e.output));
    const results = await this.model.score(requests, { ...this.control, firstTokenChoices: this.firstTokenChoices });
    return { ...summarise(results), examples: examples.length };
  }
}

/** Mean NLL over every output token of the rows (token-weighted, as the reference's cross-entropy) and exact-match accuracy. */
function summarise(results: readonly ScoreResult[]): { loss: number; accuracy: number } {
  let nll = 0;
  let count = 0;
  let correct = 0;
  for (const r of results) {
    for (let j = 0; j < r.logprobs.length; j++) nll -= r.logprobs[j];
    count += r.logprobs.length;
    if (r.isArgmax.every(Boolean)) correct++;
  }
  return { loss: nll / count, accuracy: correct / results.length };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
