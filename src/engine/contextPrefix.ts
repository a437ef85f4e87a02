/**
 * The ids a tokenizer puts before a text (Llama 3's BOS; TextTokenizer.specialPrefix) go in
 * front of every context, once: the engine and the remote backend both send contexts this way.
 */
export function withContextPrefix(prefix: readonly number[], context: readonly number[]): readonly number[] {
  if (prefix.length === 0 || (context.length >= prefix.length && prefix.every((t, i) => context[i] === t))) return context;
  return [...prefix, ...context];
}
