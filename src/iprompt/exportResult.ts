/** The result as one JSON object, for the command line's --json and the app's export: the verdict and the explanations first, `prompts` the ranked prompts as found (imodelsx's list), the rest as metadata. */
import type { ExplainResult } from './types.ts';

export function exportResult(r: ExplainResult, extra: Record<string, unknown> = {}): object {
  const { ranked, verdict, explanations, descriptions, ...metadata } = r.metadata;
  return { verdict, explanations, descriptions, prompts: ranked, metadata: { ...metadata, ...extra } };
}
