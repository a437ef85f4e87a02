/**
 * The library API, shaped like imodelsx's `explain_dataset_iprompt`:
 * `explainDataset(inputs, outputs, options) -> { prompts, metadata }`, prompts best first.
 */
import type { SearchLanguageModel } from './languageModel.ts';
import type { IPromptOptionsInput } from './options.ts';
import { startSearch, type ExplainResult, type SearchEvent } from './search.ts';

export interface ExplainOptions extends IPromptOptionsInput {
  /** The language model that proposes and scores (the engine, via searchModelOf, in Node or a worker). */
  model: SearchLanguageModel;
  onEvent?: (event: SearchEvent) => void;
  signal?: AbortSignal;
  /** Descriptions of your own, scored beside the found explanations (metadata.descriptions). */
  descriptions?: readonly string[];
}

export function explainDataset(inputs: readonly string[], outputs: readonly string[], options: ExplainOptions): Promise<ExplainResult> {
  const { model, onEvent, signal, descriptions, ...searchOptions } = options;
  return startSearch(model, inputs, outputs, searchOptions, { onEvent, signal, descriptions }).result;
}
