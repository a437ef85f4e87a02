/**
 * The iPrompt search (reference sections 2.2-2.7): propose prompts from the data, score every
 * candidate on the same batch, keep a pool of running means, mutate the best, stop, rank.
 * Runs over any SearchLanguageModel; streams every step; can be paused, resumed and stopped
 * between steps (runControl.ts). One seed fixes every random choice. The final ranking and the
 * explanations built from it are in ranking.ts and explanations.ts.
 */
import { epochBatches, plannedSteps, prepareData, type Datapoint } from './data.ts';
import { Evaluator } from './evaluation.ts';
import type { ModelCallControl, SearchLanguageModel } from './languageModel.ts';
import { OptionsError, resolveOptions, type IPromptOptions, type IPromptOptionsInput } from './options.ts';
import { keyOf, PromptPool, type Origin, type PoolEntry } from './pool.ts';
import { postDataText, preDataText, Prompter } from './proposals.ts';
import { SeededRandom } from '../util/random.ts';
import { finalRanking } from './ranking.ts';
import { SearchRun, type SearchHooks } from './runControl.ts';
import type { CutSide } from './template.ts';
import type { CandidateKind, DatasetSizes, ExplainResult, PoolSnapshot, ScoredCandidate, SearchCheckpoint, SearchEvent, StopReason } from './types.ts';

export { SearchRun, type RunState, type SearchHooks } from './runControl.ts';
export type * from './types.ts';

/** Starts a search; see SearchRun. */
export function startSearch(model: SearchLanguageModel, inputs: readonly string[], outputs: readonly string[], options: IPromptOptionsInput = {}, hooks: SearchHooks = {}): SearchRun {
  const o = resolveOptions(options);
  return new SearchRun((handle) => new Search(model, o, hooks, handle).run(inputs, outputs));
}

interface Candidate {
  ids: number[];
  kind: CandidateKind;
  origin: Origin;
  parent?: string;
  parentIds?: number[];
  truncateAt?: number;
  keptText?: string;
}

class Search {
  private readonly rng: SeededRandom;
  private readonly pool: PromptPool;
  private readonly prompter: Prompter;
  private evaluator!: Evaluator;
  private tokens = 0;
  private activeMs = 0;
  private readonly control: ModelCallControl;

  constructor(
    private readonly model: SearchLanguageModel,
    private readonly o: IPromptOptions,
    private readonly hooks: SearchHooks,
    private readonly handle: SearchRun,
  ) {
    this.rng = SeededRandom.search(o.seed);
    this.pool = new PromptPool(o.pop_criterion, (ids) => model.decode(ids));
    this.control = { signal: hooks.signal, onTokens: (n) => (this.tokens += n) };
    this.prompter = new Prompter(model, o, this.rng, this.control);
  }

  private emit(e: SearchEvent): void {
    this.hooks.onEvent?.(e);
  }

  async run(inputs: readonly string[], outputs: readonly string[]): Promise<ExplainResult> {
    const o = this.o;
    const cp = this.hooks.resumeFrom;
    if (cp) checkResumable(cp, o, inputs.length);
    const startTime = cp ? new Date(cp.startTime) : new Date();
    // A resumed run prepares the same data from the seed, then continues the stream where it was.
    const data = prepareData(inputs, outputs, o, cp ? SeededRandom.search(o.seed) : this.rng);
    if (cp) this.rng.restore(cp.rng);
    let unanswerable = 0;
    let choices: number[] | null = null;
    if (o.mask_possible_answers) {
      // The first tokens of the training outputs only: allowing the held-out ones would tell the
      // ranking which labels exist there. A held-out example whose output starts otherwise could
      // never be answered under the mask, so it leaves the ranking (counted in sizes).
      const firsts = new Set(data.train.map((e) => this.enc(e.output)[0]));
      choices = [...firsts].sort((a, b) => a - b);
      const answerable = data.heldOut.filter((e) => firsts.has(this.enc(e.output)[0]));
      unanswerable = data.heldOut.length - answerable.length;
      data.heldOut = answerable;
    }
    this.evaluator = new Evaluator(this.model, o, (text, side) => this.enc(text, side), this.control, choices);
    const perEpoch = Math.ceil(data.rows.length / o.batch_size);
    const planned = plannedSteps(data.rows.length, o);
    const P = o.pop_size;
    const R = o.num_random_generations;
    const sizes: DatasetSizes = {
      examples: data.examples,
      trainExamples: data.trainExamples,
      heldOutExamples: data.heldOut.length,
      heldOutUnanswerable: unanswerable,
      rows: data.rows.length,
      batchesPerEpoch: perEpoch,
      plannedSteps: planned,
      candidatesPerStep: (P + R) * (1 + o.num_mutations),
    };
    this.emit({ type: 'start', options: o, sizes });

    const allLosses: number[] = cp ? [...cp.allLosses] : [];
    const allNCorrect: number[] = cp ? [...cp.allNCorrect] : [];
    let step = cp?.step ?? 0;
    let seen = cp?.seen ?? 0;
    let stoppedBy: StopReason = 'n_epochs';
    let lastTop: string | null = cp?.lastTop ?? null;
    let unchanged = cp?.unchanged ?? 0;
    if (cp) {
      this.pool.import(cp.pool);
      this.tokens = cp.tokens;
      this.activeMs = cp.activeMs;
    }
    const now = () => globalThis.performance.now();
    let resumeBatches = cp ? cp.batches : null;
    let resumeAt = cp?.nextBatch ?? 0;

    outer: for (let epoch = cp?.epoch ?? 0; epoch < o.n_epochs; epoch++) {
      // Each epoch draws its batch order when it starts; a resumed one continues its saved order.
      const order = resumeBatches ?? epochBatches(data.rows.length, o.batch_size, this.rng);
      const first = resumeAt;
      resumeBatches = null;
      resumeAt = 0;
      for (let b = first; b < order.length; b++) {
        const batchIdx = order[b];
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
        if (this.hooks.checkpoints) {
          const checkpoint: SearchCheckpoint = { version: 1, seed: o.seed, examples: inputs.length, step, seen, epoch, batches: order, nextBatch: b + 1, rng: this.rng.state, pool: this.pool.export(), allLosses: [...allLosses], allNCorrect: [...allNCorrect], lastTop, unchanged, tokens: this.tokens, activeMs: this.activeMs, startTime: startTime.toISOString() };
          this.emit({ type: 'checkpoint', checkpoint });
        }
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
    const { ranked, ranking, baseline, explanations, descriptions, evidence, verdict } = await finalRanking({
      pool: this.pool,
      evaluator: this.evaluator,
      encode: (text) => this.model.encode(text),
      options: o,
      data,
      handle: this.handle,
      emit: (e) => this.emit(e),
      descriptions: this.hooks.descriptions ?? [],
    });
    const rankSeconds = (now() - r0) / 1000;
    const result: ExplainResult = {
      prompts: o.clean_explanations ? explanations.map((e) => e.text) : ranked.map((p) => p.text),
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
        explanations,
        descriptions,
        evidence,
        verdict,
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
        const kept = p.ids.slice(0, truncateAt);
        mutated.push({ ids: [...kept, ...tails[i]], kind: 'mutation', origin: { kind: 'mutation', parent, truncateAt }, parent: this.model.decode(p.ids), parentIds: [...p.ids], truncateAt, keptText: this.model.decode(kept) });
      });
    }
    return { candidates: [...base, ...mutated], truncateAt };
  }

  private topk(k: number, minOccurrences: number): PoolEntry[] {
    return this.o.pop_topk_strategy === 'all' ? this.pool.topkAll(k, minOccurrences) : this.pool.topkDifferentStartToken(k, minOccurrences, this.rng);
  }

  private async scoreCandidates(candidates: Candidate[], rows: Datapoint[]): Promise<(Candidate & ScoredCandidate)[]> {
    const examples = rows.map((r) => ({ input: this.o.single_shot_loss ? r.lastInput : r.input, output: r.output }));
    const scores = await this.evaluator.summaries(candidates.map((c) => c.ids), examples);
    return candidates.map((c, i) => ({ ...c, text: this.model.decode(c.ids), ...scores[i] }));
  }

  private snapshot(e: PoolEntry): PoolSnapshot {
    // A mutation's parent is always in the pool: the step records its population and proposals before its mutations.
    const parentText = e.origin.kind === 'mutation' ? this.pool.get(e.origin.parent)!.text : undefined;
    return { text: e.text, ids: [...e.ids], meanLoss: e.meanLoss, meanAccuracy: e.meanAccuracy, timesScored: e.losses.length, firstStep: e.firstStep, origin: e.origin, ...(parentText !== undefined ? { parentText } : {}) };
  }

}

/** A checkpoint fits only the run it came from: same seed, same number of examples, same format. */
function checkResumable(cp: SearchCheckpoint, o: IPromptOptions, examples: number): void {
  if (cp.version !== 1) throw new OptionsError(`This saved run has checkpoint format ${cp.version}; this version reads format 1. Start the run again.`);
  if (cp.seed !== o.seed) throw new OptionsError(`This saved run used seed ${cp.seed}, not ${o.seed}; resume it with its own settings.`);
  if (cp.examples !== examples) throw new OptionsError(`This saved run had ${cp.examples} examples, not ${examples}; resume it on its own data.`);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
