/**
 * A fake language model with a known likelihood, for testing the search logic precisely.
 * Words are tokens. Proposals are words drawn uniformly (seeded, one stream per row) from a fixed
 * list. An output token's log-probability is -2 / (1 + 3 * (times `target` appears in the
 * context) + 0.5 * (times `helper` appears)), and it is the argmax exactly when `target` appears.
 */
import { mulberry32, fmix32 } from '../../util/random.ts';
import type { ProposalOptions, ScoreOptions, ScoreRequest, ScoreResult, SearchLanguageModel } from '../languageModel.ts';

export interface FakeModelOptions {
  /** Words proposals are drawn from (each with a leading space). */
  words: string[];
  target: string;
  helper?: string;
  /**
   * Replaces the likelihood above with one that varies by token, row and prompt: the
   * log-probability of continuation token j of `request` and whether it is the argmax. Tests that
   * check an averaging or selection rule compute their expected values from the same function.
   */
  perToken?: (request: ScoreRequest, j: number) => { logprob: number; argmax: boolean };
}

export class FakeModel implements SearchLanguageModel {
  private readonly vocab: string[] = [];
  private readonly ids = new Map<string, number>();
  readonly scoreCalls: ScoreRequest[][] = [];
  readonly generateCalls: { contexts: number[][]; opts: ProposalOptions }[] = [];
  private readonly wordIds: number[];
  private readonly targetId: number;
  private readonly helperId: number;
  private readonly perToken: FakeModelOptions['perToken'];

  constructor(opts: FakeModelOptions) {
    this.perToken = opts.perToken;
    this.wordIds = opts.words.map((w) => this.id(` ${w}`));
    this.targetId = this.id(` ${opts.target}`);
    this.helperId = opts.helper ? this.id(` ${opts.helper}`) : -1;
    this.id('\n');
    this.id('\n\n');
  }

  private id(piece: string): number {
    let id = this.ids.get(piece);
    if (id === undefined) {
      id = this.vocab.length;
      this.vocab.push(piece);
      this.ids.set(piece, id);
    }
    return id;
  }

  encode(text: string): number[] {
    return (text.match(/\n+|[ ]?[^\s]+|[ ]+/g) ?? []).map((p) => this.id(p));
  }

  decode(ids: readonly number[]): string {
    return ids.map((i) => this.vocab[i]).join('');
  }

  tokensContaining(fragment: string): number[] {
    return this.vocab.flatMap((p, i) => (p.includes(fragment) ? [i] : []));
  }

  async score(requests: readonly ScoreRequest[], opts: ScoreOptions = {}): Promise<ScoreResult[]> {
    this.scoreCalls.push([...requests]);
    await Promise.resolve();
    return requests.map((r) => {
      if (this.perToken) {
        const per = r.continuation.map((_, j) => this.perToken!(r, j));
        opts.onTokens?.(r.context.length + r.continuation.length);
        return { logprobs: Float32Array.from(per, (x) => x.logprob), isArgmax: per.map((x) => x.argmax) };
      }
      const hits = r.context.filter((t) => t === this.targetId).length;
      const helps = r.context.filter((t) => t === this.helperId).length;
      const lp = -2 / (1 + 3 * hits + 0.5 * helps);
      opts.onTokens?.(r.context.length + r.continuation.length);
      return { logprobs: Float32Array.from(r.continuation, () => lp), isArgmax: r.continuation.map(() => hits > 0) };
    });
  }

  async generate(contexts: readonly (readonly number[])[], opts: ProposalOptions): Promise<number[][]> {
    this.generateCalls.push({ contexts: contexts.map((c) => [...c]), opts });
    await Promise.resolve();
    return contexts.map((_, row) => {
      const next = mulberry32(fmix32(opts.seed ^ Math.imul(row + 1, 0x85ebca6b)));
      return Array.from({ length: opts.max_new_tokens }, () => this.wordIds[Math.floor(next() * this.wordIds.length)]);
    });
  }
}

/**
 * The search's rules applied by hand to a perToken likelihood: the token-weighted mean NLL over
 * every output token of `requests` and the share of requests whose every token is the argmax.
 * Log-probabilities pass through float32, as the fake model returns them.
 */
export function scoreByRules(requests: readonly ScoreRequest[], perToken: NonNullable<FakeModelOptions['perToken']>): { loss: number; accuracy: number } {
  let nll = 0;
  let tokens = 0;
  let correct = 0;
  for (const r of requests) {
    const per = r.continuation.map((_, j) => perToken(r, j));
    for (const p of per) nll -= Math.fround(p.logprob);
    tokens += per.length;
    if (per.every((p) => p.argmax)) correct++;
  }
  return { loss: nll / tokens, accuracy: correct / requests.length };
}

/** n neutral words plus the target and a helper. */
export function fakeWords(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `w${i}`);
}
