/**
 * The language-model engine: `score` (teacher-forced log-probabilities of continuations) and
 * `generate` (fixed-length sampled continuations with a key-value cache), batched, over a Decoder.
 * No DOM and no runtime import: the runtime comes in through the Decoder.
 */
import { columnOf, padRows, planBatches, sliceColumns, type PadSide, type PaddedBatch } from './batching.ts';
import type { Decoder, KvCache } from './decoder.ts';
import { withContextPrefix } from './contextPrefix.ts';
import { EngineError } from './errors.ts';
import type { AttentionStyle } from './onnxGraph.ts';
import { stackRowBlocks, takeRowBlock, type KvArray } from './prefixCache.ts';
import { groupBySharedPrefix, type PrefixGroup } from './prefixGroups.ts';
import { SeededRandom } from '../util/random.ts';
import { argmax, logSoftmaxAt, sampleToken, type SamplingOptions } from './sampling.ts';

export interface ScorePair {
  context: readonly number[];
  continuation: readonly number[];
}

export interface ScoredContinuation {
  /** log p(continuation[j] | context, continuation[<j]) for every j. */
  logprobs: Float32Array;
  /** Whether continuation[j] was the most likely token at its position. */
  isArgmax: boolean[];
}

export interface GenerateOptions extends SamplingOptions {
  /** Exactly this many tokens are produced per context (end-of-sequence is suppressed until then). */
  max_new_tokens: number;
  /** Seeds every random draw; row i of a call draws from its own stream, so batching never changes results. */
  seed: number;
  /**
   * Each row's sampler seed as given, instead of the streams of `seed` (SeededRandom.sampler of
   * it): a server answering one request per row, each with its own seed, as vLLM does.
   */
  rowSeeds?: readonly number[];
  /** false: greedy decoding. Default true. */
  do_sample?: boolean;
  /** false: recompute the whole sequence every step instead of using the cache (for verification). */
  use_cache?: boolean;
  /** The first new token is one of these ids (every other logit is -Infinity at that step). */
  firstTokenChoices?: readonly number[];
}

export interface RunControl {
  signal?: AbortSignal;
  /** Called after each forward pass with the number of tokens it processed. */
  onTokens?: (tokens: number) => void;
}

export interface EngineLimits {
  /** Most rows in one forward pass. */
  maxBatchRows: number;
  /** Most padded tokens (rows x length) in one forward pass. */
  maxBatchTokens: number;
  /** Largest logits tensor one pass may return, for graphs that cannot restrict their logits. */
  maxLogitsBytes: number;
}

export const DEFAULT_LIMITS: EngineLimits = { maxBatchRows: 32, maxBatchTokens: 8192, maxLogitsBytes: 64 * 1024 * 1024 };

/**
 * How scoring reuses a prefix that several rows share (prefixGroups.ts): 'batched' runs the prefix
 * once and every member's remaining tokens in one pass over the cached prefix (masked attention);
 * 'columns' feeds the remaining tokens one position at a time over the cached prefix, as
 * generation does (GroupQueryAttention takes a past with more than one new token only at batch 1);
 * 'off' runs every row whole.
 */
export type PrefixReuse = 'batched' | 'columns' | 'off';

/**
 * The default prefix reuse for a graph: 'batched' where attention reads the mask. GroupQueryAttention
 * takes a past with more than one new token only at batch 1, so there reuse means one pass per
 * position ('columns'), which pays only where a pass has no large fixed cost: onnxruntime-web's
 * WASM MatMulNBits dequantises every weight on every pass (no 4-bit kernel there), about 0.3 s on
 * the SmolLM2-135M shape, so 4-bit graphs on WASM stay 'off' (docs/speed.md has the figures).
 */
export function reuseFor(attention: AttentionStyle, opts: { costlyPasses: boolean }): PrefixReuse {
  if (attention !== 'right-padded') return 'batched';
  return opts.costlyPasses ? 'off' : 'columns';
}

/** Fewer shared tokens than this are run again rather than cached and copied. */
export const MIN_SHARED_PREFIX = 4;

/** A prior cache a pass continues from: its keys and values and their mask, [batch, past.length]. */
interface Prior {
  past: KvCache;
  mask: BigInt64Array;
}

/** Logits of the columns of a padded batch from some column on. */
interface PaddedLogits {
  at(row: number, col: number): { data: Float32Array; offset: number };
  present: KvCache;
  vocab: number;
}

export class LanguageModelEngine {
  readonly limits: EngineLimits;
  private readonly padId: number;

  /**
   * Tokens the tokenizer's post-processor puts before every text (Llama 3's <|begin_of_text|>;
   * none for SmolLM2, Qwen, GPT-2). The model was trained with them, so every context starts with
   * them, once: callers pass token ids encoded without special tokens.
   */
  readonly contextPrefix: readonly number[];

  /** How scoring reuses shared prefixes; by default reuseFor's choice for a graph whose passes have a fixed cost. */
  readonly prefixReuse: PrefixReuse;

  constructor(
    readonly decoder: Decoder,
    limits: Partial<EngineLimits> = {},
    opts: { contextPrefix?: readonly number[]; prefixReuse?: PrefixReuse } = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.contextPrefix = [...(opts.contextPrefix ?? [])];
    const reuse = opts.prefixReuse ?? reuseFor(decoder.io.attention, { costlyPasses: true });
    if (reuse === 'batched' && decoder.io.attention === 'right-padded') throw new EngineError('INTERNAL', "prefixReuse 'batched' needs attention that reads the mask; GroupQueryAttention graphs take 'columns' or 'off'");
    this.prefixReuse = reuse;
    const s = decoder.shape;
    this.padId = s.padTokenId ?? s.eosTokenIds[0] ?? 0;
  }

  get eosTokenIds(): readonly number[] {
    return this.decoder.shape.eosTokenIds;
  }

  /** `context` with the prefix in front, unless it already starts with it. */
  withPrefix(context: readonly number[]): readonly number[] {
    return withContextPrefix(this.contextPrefix, context);
  }

  /** How this graph's attention wants a batch padded (see batching.ts). */
  get padSide(): PadSide {
    return this.decoder.io.attention === 'right-padded' ? 'right' : 'left';
  }

  /**
   * Most padded tokens per pass for a graph that computes logits at every position it is fed
   * (no num_logits_to_keep): rows x length x vocabulary floats must fit in maxLogitsBytes.
   */
  private get logitsTokenBudget(): number {
    return Math.max(1, Math.floor(this.limits.maxLogitsBytes / (this.decoder.shape.vocabSize * 4)));
  }

  /**
   * `firstTokenChoices` restricts the first continuation position to those ids: its softmax and
   * argmax run over that set only (iPrompt's mask_possible_answers for label tasks).
   */
  score(pairs: readonly ScorePair[], control: RunControl = {}, opts: { firstTokenChoices?: readonly number[] } = {}): Promise<ScoredContinuation[]> {
    return this.exclusive(() => this.scoreNow(pairs, control, opts));
  }

  generate(contexts: readonly (readonly number[])[], opts: GenerateOptions, control: RunControl = {}): Promise<number[][]> {
    return this.exclusive(() => this.generateNow(contexts, opts, control));
  }

  /**
   * One call at a time on the session: two requests (a search and a "try it") interleave call by
   * call, never forward pass by forward pass, and a call never sees a cache another one left.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private tail: Promise<void> = Promise.resolve();

  private async scoreNow(pairs: readonly ScorePair[], control: RunControl, opts: { firstTokenChoices?: readonly number[] }): Promise<ScoredContinuation[]> {
    const choices = opts.firstTokenChoices?.length ? Int32Array.from(opts.firstTokenChoices) : null;
    pairs = pairs.map((p) => ({ context: this.withPrefix(p.context), continuation: p.continuation }));
    pairs.forEach((p, i) => {
      if (p.context.length === 0 && p.continuation.length > 0) throw new EngineError('INTERNAL', `score: pair ${i} has an empty context; the first continuation token needs a position to be predicted from.`);
    });
    const results: ScoredContinuation[] = new Array(pairs.length);
    // Each row is the context plus all but the last continuation token: the final token is
    // only ever a target, never an input.
    const rows = pairs.map((p) => [...p.context, ...p.continuation.slice(0, -1)]);
    // A shared prefix ends before the row's first scored position (its last context token).
    const groups = this.prefixReuse === 'off' ? [] : groupBySharedPrefix(rows, pairs.map((p) => p.context.length - 1), MIN_SHARED_PREFIX);
    const grouped = new Set(groups.flatMap((g) => g.members));
    const read = (pairIndex: number, at: (j: number) => { data: Float32Array; offset: number }, vocab: number) => {
      results[pairIndex] = readScores(pairs[pairIndex].continuation, at, vocab, choices);
    };
    await this.scoreWhole(
      rows.map((_, i) => i).filter((i) => !grouped.has(i)),
      rows,
      pairs,
      control,
      read,
    );
    if (groups.length) await this.scoreOverPrefixes(groups, rows, pairs, control, read);
    return results;
  }

  /** Rows per pass and padded tokens per pass for rows whose longest scored part is `longest` tokens. */
  private passLimits(longest: number): { maxRows: number; maxTokens: number } {
    let maxRows = this.limits.maxBatchRows;
    let maxTokens = this.limits.maxBatchTokens;
    if (this.padSide === 'left' || this.decoder.io.rowsInput) {
      // Left-padded rows keep logits for the longest continuation only, and a graph with a rows
      // input returns exactly each row's: rows x the longest x vocabulary bounds the rows per pass
      // (with a 150k vocabulary, more tightly than the token budget).
      maxRows = Math.min(maxRows, Math.max(1, Math.floor(this.limits.maxLogitsBytes / (Math.max(1, longest) * this.decoder.shape.vocabSize * 4))));
    } else {
      // Right-padded rows end at different columns, so logits are kept from the earliest needed
      // column on; and such graphs may only be fed in chunks one row at a time. Bounding the
      // padded tokens by the logits budget keeps every multi-row pass whole; a row too long for
      // it alone runs by itself, in chunks.
      maxTokens = Math.min(maxTokens, this.logitsTokenBudget);
    }
    return { maxRows, maxTokens };
  }

  /** Scores the rows `which` each whole, in padded batches. */
  private async scoreWhole(which: number[], rows: number[][], pairs: readonly ScorePair[], control: RunControl, read: ScoreReader): Promise<void> {
    if (!which.length) return;
    const { maxRows, maxTokens } = this.passLimits(Math.max(...which.map((i) => pairs[i].continuation.length)));
    for (const batch of planBatches(which.map((i) => rows[i].length), maxRows, maxTokens)) {
      throwIfAborted(control.signal);
      const group = batch.map((k) => which[k]);
      const padded = padRows(group.map((i) => rows[i]), this.padId, this.padSide);
      // Continuation token j of a pair is predicted at its row's position context.length - 1 + j.
      const firstCol = (b: number) => columnOf(padded, b, pairs[group[b]].context.length - 1);
      const logits = await this.runPadded(padded, Math.min(...group.map((_, b) => firstCol(b))), control, (b) => Array.from(pairs[group[b]].continuation, (_, j) => firstCol(b) + j));
      control.onTokens?.(padded.batch * padded.length);
      this.decoder.release(logits.present);
      group.forEach((pairIndex, b) => read(pairIndex, (j) => logits.at(b, firstCol(b) + j), logits.vocab));
    }
  }

  /**
   * Scores grouped rows: each group's prefix runs once (prefixes batched), then its members'
   * remaining tokens continue from a copy of the prefix's keys and values. The numbers equal
   * scoring each row whole, to float rounding: the same attention over the same keys.
   */
  private async scoreOverPrefixes(groups: PrefixGroup[], rows: number[][], pairs: readonly ScorePair[], control: RunControl, read: ScoreReader): Promise<void> {
    const d = this.decoder;
    const { numKvHeads: heads, headDim } = d.shape;
    const side = this.padSide;
    // 1. The prefixes, batched; each group keeps its own block of the cache.
    const blocks: { keys: KvArray[]; values: KvArray[] }[] = new Array(groups.length);
    const prefixes = groups.map((g) => rows[g.members[0]].slice(0, g.prefixLength));
    const prefixLimits = this.passLimits(1);
    for (const batch of planBatches(prefixes.map((p) => p.length), prefixLimits.maxRows, prefixLimits.maxTokens)) {
      throwIfAborted(control.signal);
      const padded = padRows(batch.map((g) => prefixes[g]), this.padId, side);
      const lastCol = (b: number) => columnOf(padded, b, padded.lastPositions[b]);
      const res = await this.runPadded(padded, Math.min(...batch.map((_, b) => lastCol(b))), control, (b) => (b === 0 ? [lastCol(0)] : []));
      const data = await d.readCache(res.present);
      d.release(res.present);
      const layout = { batch: padded.batch, heads, length: padded.length, headDim };
      batch.forEach((g, b) => {
        const n = prefixes[g].length;
        const start = side === 'left' ? padded.length - n : 0;
        blocks[g] = { keys: data.keys.map((t) => takeRowBlock(t, layout, b, start, n)), values: data.values.map((t) => takeRowBlock(t, layout, b, start, n)) };
      });
    }
    // 2. The members' remaining tokens over their group's prefix.
    const members = groups.flatMap((g, gi) => g.members.map((i) => ({ pair: i, group: gi, rest: rows[i].slice(g.prefixLength) })));
    const { maxRows, maxTokens } = this.passLimits(Math.max(...members.map((m) => pairs[m.pair].continuation.length)));
    for (const batch of planBatches(members.map((m) => rows[m.pair].length), maxRows, maxTokens)) {
      throwIfAborted(control.signal);
      const items = batch.map((k) => members[k]);
      const lengths = items.map((m) => groups[m.group].prefixLength);
      const pastLength = Math.max(...lengths);
      const align = side === 'left' ? 'right' : 'left';
      const stack = (pick: (b: { keys: KvArray[]; values: KvArray[] }) => KvArray[]) =>
        Array.from({ length: d.io.pastKeys.length }, (_, layer) => stackRowBlocks(items.map((m) => pick(blocks[m.group])[layer]), lengths, heads, headDim, pastLength, align));
      const past = d.cacheOf(items.length, pastLength, stack((b) => b.keys), stack((b) => b.values));
      // The past's mask marks each row's real positions (left pads before them, or pads after).
      const mask = new BigInt64Array(items.length * pastLength);
      lengths.forEach((n, b) => (align === 'right' ? mask.fill(1n, b * pastLength + pastLength - n, (b + 1) * pastLength) : mask.fill(1n, b * pastLength, b * pastLength + n)));
      // Per item, the suffix positions (row position - prefixLength) predicting its continuation tokens.
      const scored = items.map((m) => Array.from(pairs[m.pair].continuation, (_, j) => pairs[m.pair].context.length - 1 + j - groups[m.group].prefixLength));
      if (this.prefixReuse === 'columns') {
        const logits = await this.runColumns(items.map((m) => m.rest), lengths, { past, mask }, control, (b) => scored[b]);
        items.forEach((m, b) => read(m.pair, (j) => logits.at(b, scored[b][j]), logits.vocab));
      } else {
        const padded = padRows(items.map((m) => m.rest), this.padId, 'left');
        // Positions continue after each row's prefix.
        items.forEach((_, b) => {
          for (let c = 0; c < padded.length; c++) if (padded.mask[b * padded.length + c]) padded.positions[b * padded.length + c] += BigInt(lengths[b]);
        });
        const col = (b: number, s: number) => columnOf(padded, b, s);
        const logits = await this.runPadded(padded, Math.min(...items.map((_, b) => col(b, scored[b][0]))), control, (b) => scored[b].map((s) => col(b, s)), { past, mask });
        d.release(logits.present);
        items.forEach((m, b) => read(m.pair, (j) => logits.at(b, col(b, scored[b][j])), logits.vocab));
      }
      // Progress counts every row's tokens, the shared prefix included: the work scored, not the work run.
      control.onTokens?.(items.reduce((sum, m) => sum + rows[m.pair].length, 0));
    }
  }

  /**
   * Feeds rows one position per pass after a prior cache, as generation does: every row gets a
   * token each pass (a row past its end gets a pad, whose logits are never read). The mask is the
   * prior's followed by the new positions, so each row's length (GroupQueryAttention reads only the
   * row sums) is its real prior positions plus those fed. Returns the logits of row b at its
   * position s (counted from the prior's end) for every s that `needed(b)` lists.
   */
  private async runColumns(rest: readonly (readonly number[])[], priorLengths: readonly number[], prior: Prior, control: RunControl, needed: (row: number) => number[]): Promise<{ at: (row: number, s: number) => { data: Float32Array; offset: number }; vocab: number }> {
    const d = this.decoder;
    const B = rest.length;
    const P = prior.past.length;
    const width = Math.max(...rest.map((r) => r.length));
    const wanted = rest.map((_, b) => new Set(needed(b)));
    const kept = new Map<number, { data: Float32Array; offset: number }>();
    let cache = prior.past;
    let vocab = d.shape.vocabSize;
    try {
      for (let s = 0; s < width; s++) {
        throwIfAborted(control.signal);
        const total = P + s + 1;
        const mask = new BigInt64Array(B * total).fill(1n);
        for (let b = 0; b < B; b++) mask.set(prior.mask.subarray(b * P, (b + 1) * P), b * total);
        const ids = BigInt64Array.from(rest, (r) => BigInt(s < r.length ? r[s] : this.padId));
        const positions = BigInt64Array.from(priorLengths, (n) => BigInt(n + s));
        const rowsWanted = rest.map((_, b) => b).filter((b) => wanted[b].has(s));
        const res = await d.forward({ batch: B, ids, seq: 1, mask, positions, past: cache, keep: 1, ...(d.io.rowsInput ? { rows: BigInt64Array.from(rowsWanted.length ? rowsWanted : [0], BigInt) } : {}) });
        if (cache !== prior.past) d.release(cache);
        cache = res.present;
        vocab = res.logits.length / (d.io.rowsInput ? Math.max(1, rowsWanted.length) : B * res.n);
        rowsWanted.forEach((b, k) => kept.set(b * width + s, { data: res.logits, offset: (d.io.rowsInput ? k : b * res.n + res.n - 1) * vocab }));
      }
    } finally {
      if (cache !== prior.past) d.release(cache);
    }
    return { at: (row, s) => kept.get(row * width + s)!, vocab };
  }

  private async generateNow(contexts: readonly (readonly number[])[], opts: GenerateOptions, control: RunControl): Promise<number[][]> {
    if (!Number.isInteger(opts.max_new_tokens) || opts.max_new_tokens < 1) throw new EngineError('INTERNAL', 'generate: max_new_tokens must be a positive integer');
    if (opts.rowSeeds && opts.rowSeeds.length !== contexts.length) throw new EngineError('INTERNAL', `generate: ${opts.rowSeeds.length} row seeds for ${contexts.length} contexts`);
    contexts = contexts.map((c) => this.withPrefix(c));
    contexts.forEach((c, i) => {
      if (c.length === 0) throw new EngineError('INTERNAL', `generate: context ${i} is empty`);
    });
    const out: number[][] = new Array(contexts.length);
    const maxLen = Math.max(...contexts.map((c) => c.length)) + opts.max_new_tokens;
    let maxTokens = Math.max(this.limits.maxBatchTokens, maxLen);
    if (this.padSide === 'right' && !this.decoder.io.keepInput && !this.decoder.io.rowsInput) maxTokens = Math.min(maxTokens, this.logitsTokenBudget);
    const groups = planBatches(contexts.map((c) => c.length + opts.max_new_tokens), this.limits.maxBatchRows, maxTokens);
    for (const group of groups) {
      const produced = await this.generateGroup(group.map((i) => contexts[i]), group, opts, control);
      group.forEach((i, b) => (out[i] = produced[b]));
    }
    return out;
  }

  private async generateGroup(contexts: readonly (readonly number[])[], rowIds: number[], opts: GenerateOptions, control: RunControl): Promise<number[][]> {
    const B = contexts.length;
    const rngs = rowIds.map((i) => (opts.rowSeeds ? SeededRandom.sampler(opts.rowSeeds[i]) : SeededRandom.stream(opts.seed, i)));
    const seen = contexts.map((c) => new Set(c));
    const generated: number[][] = contexts.map(() => []);
    const sampling: SamplingOptions = opts.do_sample === false ? { ...opts, temperature: 0 } : opts;
    const eos = this.eosTokenIds;
    const side = this.padSide;
    const choices = opts.firstTokenChoices?.length ? new Set(opts.firstTokenChoices) : null;
    const pick = (row: number, data: Float32Array, offset: number, vocab: number) => {
      const logits = data.subarray(offset, offset + vocab);
      if (choices && generated[row].length === 0) for (let id = 0; id < vocab; id++) if (!choices.has(id)) logits[id] = -Infinity;
      // min_new_tokens = max_new_tokens: end-of-sequence is suppressed at every step.
      const token = sampleToken(logits, seen[row], sampling, eos, rngs[row]);
      generated[row].push(token);
      seen[row].add(token);
    };
    /** Runs whole sequences (no cache) and picks each row's next token from its last position. */
    const prompt = async (rows: readonly (readonly number[])[]) => {
      const p = padRows(rows, this.padId, side);
      const lastCol = (b: number) => columnOf(p, b, p.lastPositions[b]);
      const logits = await this.runPadded(p, Math.min(...rows.map((_, b) => lastCol(b))), control, (b) => [lastCol(b)]);
      control.onTokens?.(p.batch * p.length);
      for (let b = 0; b < B; b++) {
        const { data, offset } = logits.at(b, lastCol(b));
        pick(b, data, offset, logits.vocab);
      }
      return { p, present: logits.present };
    };

    let { p: padded, present } = await prompt(contexts);
    try {
      for (let step = 1; step < opts.max_new_tokens; step++) {
        throwIfAborted(control.signal);
        if (opts.use_cache === false) {
          this.decoder.release(present);
          ({ p: padded, present } = await prompt(contexts.map((c, b) => [...c, ...generated[b]])));
          continue;
        }
        const total = padded.length + 1;
        const mask = new BigInt64Array(B * total);
        for (let b = 0; b < B; b++) {
          if (side === 'left') {
            mask.set(padded.mask.subarray(b * padded.length, (b + 1) * padded.length), b * total);
            mask[b * total + padded.length] = 1n;
          } else {
            // GroupQueryAttention reads only the row sums: the row's real tokens, the new one included.
            mask.fill(1n, b * total, b * total + padded.lastPositions[b] + 2);
          }
        }
        const positions = BigInt64Array.from(padded.lastPositions, (p) => BigInt(p + 1));
        const ids = BigInt64Array.from(generated, (g) => BigInt(g[g.length - 1]));
        const res = await this.decoder.forward({ batch: B, ids, seq: 1, mask, positions, past: present, keep: 1 });
        control.onTokens?.(B);
        padded = { ...padded, length: total, mask, lastPositions: padded.lastPositions.map((p) => p + 1) };
        this.decoder.release(present);
        present = res.present;
        const vocab = res.logits.length / (B * res.n);
        for (let b = 0; b < B; b++) pick(b, res.logits, (b * res.n + res.n - 1) * vocab, vocab);
      }
    } finally {
      this.decoder.release(present);
    }
    return generated;
  }

  /**
   * Runs a padded batch and returns the logits of every column from `fromCol` on. Graphs with a
   * rows input (added at load) compute only the columns `needed` lists for each row; graphs with a
   * num_logits_to_keep input compute those from `fromCol` on. Others compute logits everywhere; to bound
   * memory they are fed in chunks (with the cache carrying the prefix) so no single logits tensor
   * exceeds maxLogitsBytes. Right-padded graphs (GroupQueryAttention) accept a chunk with a past
   * only at batch 1, so for them the callers plan multi-row passes that fit whole.
   */
  private async runPadded(p: PaddedBatch, fromCol: number, control: RunControl, needed: (row: number) => number[], prior?: Prior): Promise<PaddedLogits> {
    const d = this.decoder;
    const L = p.length;
    const P = prior?.past.length ?? 0;
    // The mask over the prior's positions and the batch's columns [0, end).
    const maskUpTo = (end: number) => (prior ? joinColumns(prior.mask, P, p.mask, L, p.batch, end) : sliceColumns(p.mask, p.batch, L, 0, end));
    const V = d.shape.vocabSize;
    const rowBytes = p.batch * V * 4;
    if (d.io.rowsInput) {
      const index = new Map<number, number>();
      for (let b = 0; b < p.batch; b++) for (const col of needed(b)) if (!index.has(b * L + col)) index.set(b * L + col, index.size);
      const rows = BigInt64Array.from(index.keys(), BigInt);
      const res = await d.forward({ batch: p.batch, ids: p.ids, seq: L, mask: maskUpTo(L), positions: p.positions, past: prior?.past ?? null, keep: 0, rows });
      const vocab = res.logits.length / rows.length;
      return { at: (row, col) => ({ data: res.logits, offset: index.get(row * L + col)! * vocab }), present: res.present, vocab };
    }
    if (d.io.keepInput || rowBytes * L <= this.limits.maxLogitsBytes) {
      const res = await d.forward({ batch: p.batch, ids: p.ids, seq: L, mask: maskUpTo(L), positions: p.positions, past: prior?.past ?? null, keep: L - fromCol });
      const vocab = res.logits.length / (p.batch * res.n);
      return { at: (row, col) => ({ data: res.logits, offset: (row * res.n + col - (L - res.n)) * vocab }), present: res.present, vocab };
    }
    if (p.side === 'right' && (p.batch > 1 || prior)) {
      throw new EngineError('INTERNAL', `a right-padded batch of ${p.batch} rows x ${L} tokens does not fit the logits budget and cannot be chunked`);
    }
    const chunk = Math.max(1, Math.floor(this.limits.maxLogitsBytes / rowBytes));
    const kept: { start: number; n: number; logits: Float32Array }[] = [];
    let past: KvCache | null = prior?.past ?? null;
    let vocab = V;
    for (let start = 0; start < L; start += chunk) {
      throwIfAborted(control.signal);
      const end = Math.min(L, start + chunk);
      const res = await d.forward({
        batch: p.batch,
        ids: sliceColumns(p.ids, p.batch, L, start, end),
        seq: end - start,
        mask: maskUpTo(end),
        positions: sliceColumns(p.positions, p.batch, L, start, end),
        past,
        keep: end - start,
      });
      if (past !== prior?.past) this.decoder.release(past);
      past = res.present;
      vocab = res.logits.length / (p.batch * res.n);
      if (end > fromCol) kept.push({ start, n: end - start, logits: res.logits });
    }
    return {
      at: (row, col) => {
        const c = kept.find((k) => col >= k.start && col < k.start + k.n)!;
        return { data: c.logits, offset: (row * c.n + (col - c.start)) * vocab };
      },
      present: past!,
      vocab,
    };
  }
}

type ScoreReader = (pairIndex: number, at: (j: number) => { data: Float32Array; offset: number }, vocab: number) => void;

/** Log-probabilities and argmax flags of a continuation from the logits predicting each of its tokens. */
function readScores(cont: readonly number[], at: (j: number) => { data: Float32Array; offset: number }, vocab: number, choices: Int32Array | null): ScoredContinuation {
  const logprobs = new Float32Array(cont.length);
  const isArgmax: boolean[] = [];
  for (let j = 0; j < cont.length; j++) {
    const { data, offset } = at(j);
    if (j === 0 && choices) {
      const r = restrictedScore(data, offset, choices, cont[0]);
      logprobs[j] = r.logprob;
      isArgmax.push(r.isArgmax);
      continue;
    }
    logprobs[j] = logSoftmaxAt(data, offset, vocab, cont[j]);
    isArgmax.push(argmax(data, offset, offset + vocab) === cont[j]);
  }
  return { logprobs, isArgmax };
}

/** Row by row, a [rows, priorCols] mask followed by columns [0, end) of a [rows, cols] mask. */
function joinColumns(prior: BigInt64Array, priorCols: number, m: BigInt64Array, cols: number, rows: number, end: number): BigInt64Array {
  const out = new BigInt64Array(rows * (priorCols + end));
  for (let r = 0; r < rows; r++) {
    out.set(prior.subarray(r * priorCols, (r + 1) * priorCols), r * (priorCols + end));
    out.set(m.subarray(r * cols, r * cols + end), r * (priorCols + end) + priorCols);
  }
  return out;
}

/** log-softmax and argmax over `choices` only; a target outside them has probability 0. */
function restrictedScore(logits: Float32Array, offset: number, choices: Int32Array, target: number): { logprob: number; isArgmax: boolean } {
  let max = -Infinity;
  let best = -1;
  for (const id of choices) {
    const v = logits[offset + id];
    if (v > max) {
      max = v;
      best = id;
    }
  }
  let sum = 0;
  for (const id of choices) sum += Math.exp(logits[offset + id] - max);
  if (!choices.includes(target)) return { logprob: -Infinity, isArgmax: false };
  return { logprob: logits[offset + target] - max - Math.log(sum), isArgmax: best === target };
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EngineError('ABORTED', 'Cancelled.');
}
