/**
 * How fast a loaded model does the two kinds of work a search step is made of, measured once at
 * load, right after the warm-up, so that the app can say how long a run will take before it
 * starts (src/iprompt/workPlan.ts turns a run's counted work into seconds with these figures).
 *
 * - Scoring: rows shaped like a step's (prompts, each on the same four examples), the faster of two
 *   calls, from 8 rows doubled until a call takes 150 ms (a small model's rate at a few rows is
 *   its per-call overhead; a step scores hundreds of rows per call). Tokens are counted as the search counts its
 *   rows (context + continuation, the engine's own prefix aside).
 * - Generation: the cost of one decoding pass (one new token for every row) at two batch sizes,
 *   each from the difference of two calls (the faster of two each) that differ only in the number
 *   of new tokens, so the prefill cancels out. A pass costs `passMs.fixed + passMs.perRow x rows`.
 *
 * Token ids are arbitrary but valid (a fixed stride through the vocabulary): speed does not depend
 * on what the tokens say. On a 135M model this takes a few seconds; on the shipped one, milliseconds.
 */
import type { LanguageModelEngine } from './engine.ts';

export interface Throughput {
  /** Scoring (and prefill): tokens per second. */
  scoreTokensPerSecond: number;
  /** One decoding pass: fixed ms plus ms per row in the batch (a straight line through two batch sizes). */
  passMs: { fixed: number; perRow: number };
  /** How long the measurement took (ms). */
  probeMs: number;
}

const now = () => performance.now();

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = now();
  await f();
  return now() - t;
}

/** Deterministic valid token ids, `n` of them, starting at `from`. */
function ids(vocab: number, from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 + ((from + i * 7919) % Math.max(1, vocab - 1)));
}

/** Calls are repeated and the fastest kept, and grown until one takes this long: small models are timed at the batch sizes a step uses, not at their per-call overhead. */
const MIN_CALL_MS = 150;
const MAX_ROWS = 128;

export async function measureThroughput(engine: LanguageModelEngine): Promise<Throughput> {
  const t0 = now();
  const vocab = engine.decoder.shape.vocabSize;
  const best = async (f: () => Promise<unknown>) => Math.min(await timed(f), await timed(f));
  // Scoring: prompts x 4 examples; each row is a 6-token prompt after an 8-token template and a
  // 10-token example, with a 2-token continuation (about the quick preset's rows on short data).
  // From 8 rows, doubled while a call is quicker than MIN_CALL_MS (a step scores hundreds).
  // Twice over: the first sweep also warms the JavaScript around the runtime (measured: a cold
  // 128-row call took 2.5x as long as a warm one on the shipped model).
  let rate = 0;
  for (let round = 0; round < 2; round++) for (let prompts = 2; prompts * 4 <= MAX_ROWS; prompts *= 2) {
    const pairs = Array.from({ length: prompts }, (_, p) => p).flatMap((p) =>
      [0, 1, 2, 3].map((e) => ({ context: [...ids(vocab, 11, 8), ...ids(vocab, 100 + p, 6), ...ids(vocab, 500 + e, 10)], continuation: ids(vocab, 900 + e, 2) })),
    );
    const rowTokens = pairs.reduce((s, q) => s + q.context.length + q.continuation.length, 0);
    const ms = Math.max(1e-3, await best(() => engine.score(pairs)));
    rate = Math.max(rate, (rowTokens * 1000) / ms);
    if (ms >= MIN_CALL_MS) break;
  }

  // Generation: ms per pass at 2 and 8 rows (greedy; sampling costs the same per pass).
  const gen = { temperature: 0, top_k: 0, top_p: 1, repetition_penalty: 1, banned_token_ids: [], seed: 0 };
  const perPass = async (rows: number) => {
    const contexts = Array.from({ length: rows }, (_, r) => ids(vocab, 2000 + r, 16));
    const short = await best(() => engine.generate(contexts, { ...gen, max_new_tokens: 1 }));
    const long = await best(() => engine.generate(contexts, { ...gen, max_new_tokens: 4 }));
    return Math.max(0, (long - short) / 3);
  };
  const at2 = await perPass(2);
  const at8 = await perPass(8);
  const perRow = Math.max(0, (at8 - at2) / 6);
  return { scoreTokensPerSecond: rate, passMs: { fixed: Math.max(0, at2 - 2 * perRow), perRow }, probeMs: now() - t0 };
}
