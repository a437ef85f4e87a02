/**
 * The engine seen as the search's language model: the one place where iPrompt meets the runtime.
 * It lives outside both (the engine never imports the search, the search never imports a
 * runtime); the worker, the command line and the benchmarks import it.
 */
import type { ProposalOptions, ScoreOptions, ScoreRequest, ScoreResult, SearchLanguageModel } from '../iprompt/languageModel.ts';
import type { LanguageModelEngine } from '../engine/engine.ts';
import type { TextTokenizer } from '../engine/tokenizer.ts';

/** The search's text side of a model, from its tokenizer (the engine's and a server's alike). */
export function tokenizerSide(tokenizer: TextTokenizer): Pick<SearchLanguageModel, 'encode' | 'decode' | 'tokensContaining'> {
  const containing = new Map<string, number[]>();
  return {
    encode: (text) => tokenizer.encode(text),
    // The tokenizer refuses an empty list; no tokens is the empty text (a mutation cut at 0 keeps none).
    decode: (ids) => (ids.length === 0 ? '' : tokenizer.decode(ids)),
    tokensContaining(fragment) {
      let ids = containing.get(fragment);
      if (!ids) containing.set(fragment, (ids = tokenizer.idsContaining(fragment)));
      return ids;
    },
  };
}

export function searchModelOf(engine: LanguageModelEngine, tokenizer: TextTokenizer): SearchLanguageModel {
  return {
    ...tokenizerSide(tokenizer),
    score(requests: readonly ScoreRequest[], opts: ScoreOptions = {}): Promise<ScoreResult[]> {
      return engine.score(requests, { signal: opts.signal, onTokens: opts.onTokens }, { firstTokenChoices: opts.firstTokenChoices });
    },
    generate(contexts, opts: ProposalOptions) {
      const { signal, onTokens, ...sampling } = opts;
      return engine.generate(contexts, sampling, { signal, onTokens });
    },
  };
}
