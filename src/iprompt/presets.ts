/**
 * Named settings. "quick" finishes in about a minute on the shipped model on WASM (two threads);
 * "default" is the library's defaults (imodelsx's, with the documented deviations); "paper" is
 * the configuration of the paper's math runs (reference section 6).
 */
import type { IPromptOptionsInput } from './options.ts';

export type PresetName = 'quick' | 'default' | 'paper';

export const PRESETS: Readonly<Record<PresetName, { label: string; description: string; options: IPromptOptionsInput }>> = {
  quick: {
    label: 'Quick',
    description: 'About a minute on the built-in model: smaller batches and population, at most 31 steps (max_n_steps 30).',
    options: { batch_size: 16, pop_size: 4, num_random_generations: 4, num_mutations: 2, max_n_steps: 30, final_rerank_top_k: 16 },
  },
  default: {
    label: 'Default',
    description: "The reference's defaults with 6-token prompts, a held-out final ranking and 1000 examples processed.",
    options: {},
  },
  paper: {
    label: 'Paper (math)',
    description: 'As the paper ran its math tasks: 5 examples per proposal, batch 64, early stopping after 25 unchanged steps, 5000 examples.',
    options: { n_shots: 5, batch_size: 64, early_stopping_steps: 25, max_n_datapoints: 5000, generation_repetition_penalty: 2.0 },
  },
};
