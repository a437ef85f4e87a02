import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, OptionsError, resolveOptions, type IPromptOptionsInput } from './options.ts';
import { thrown } from '../test/thrown.ts';

// Every check of resolveOptions at its boundary: the last value accepted and the first refused,
// with the message a user sees (written out here, not built from the code's own strings).
const accepted: [string, IPromptOptionsInput][] = [
  ['pop_size 1', { pop_size: 1 }],
  ['num_mutations 0', { num_mutations: 0 }],
  ['num_random_generations 0', { num_random_generations: 0 }],
  ['max_n_datapoints 0', { max_n_datapoints: 0 }],
  ['max_n_steps 0', { max_n_steps: 0 }],
  ['early_stopping_steps -1', { early_stopping_steps: -1 }],
  ['early_stopping_steps 0', { early_stopping_steps: 0 }],
  ['negative seed', { seed: -3 }],
  ['largest safe seed', { seed: Number.MAX_SAFE_INTEGER }],
  ['tiny temperature', { generation_temp: 1e-9 }],
  ['top_p 1', { generation_top_p: 1 }],
  ['tiny top_p', { generation_top_p: 1e-9 }],
  ['top_k 0 (off)', { generation_top_k: 0 }],
  ['repetition penalty below 1', { generation_repetition_penalty: 0.5 }],
  ['no held-out split', { held_out_fraction: 0 }],
  ['held_out_fraction 0.99', { held_out_fraction: 0.99 }],
  ["pop_criterion 'acc'", { pop_criterion: 'acc' }],
  ["pop_criterion 'combined'", { pop_criterion: 'combined' }],
  ["pop_topk_strategy 'all'", { pop_topk_strategy: 'all' }],
];

const refused: [IPromptOptionsInput, string][] = [
  ...(['num_learned_tokens', 'pop_size', 'batch_size', 'max_length', 'n_epochs', 'n_shots', 'final_rerank_top_k', 'final_rerank_min_batches', 'n_eval'] as const).flatMap(
    (k): [IPromptOptionsInput, string][] => [
      [{ [k]: 0 }, `${k} must be a whole number of at least 1, got 0`],
      [{ [k]: 2.5 }, `${k} must be a whole number of at least 1, got 2.5`],
    ],
  ),
  ...(['num_mutations', 'num_random_generations', 'max_n_datapoints', 'max_n_steps'] as const).flatMap((k): [IPromptOptionsInput, string][] => [
    [{ [k]: -1 }, `${k} must be a whole number of at least 0, got -1`],
    [{ [k]: 0.5 }, `${k} must be a whole number of at least 0, got 0.5`],
  ]),
  [{ early_stopping_steps: 2.5 }, 'early_stopping_steps must be a whole number, got 2.5'],
  [{ seed: 2 ** 53 }, 'seed must be a whole number, got 9007199254740992'],
  [{ seed: 1.5 }, 'seed must be a whole number, got 1.5'],
  [{ generation_temp: 0 }, 'generation_temp must be above 0, got 0'],
  [{ generation_temp: NaN }, 'generation_temp must be above 0, got NaN'],
  [{ generation_top_p: 0 }, 'generation_top_p must be in (0, 1], got 0'],
  [{ generation_top_p: 1.0001 }, 'generation_top_p must be in (0, 1], got 1.0001'],
  [{ generation_top_p: NaN }, 'generation_top_p must be in (0, 1], got NaN'],
  [{ generation_top_k: -1 }, 'generation_top_k must be a whole number of at least 0 (0 = off), got -1'],
  [{ generation_top_k: 2.5 }, 'generation_top_k must be a whole number of at least 0 (0 = off), got 2.5'],
  [{ generation_repetition_penalty: 0 }, 'generation_repetition_penalty must be above 0, got 0'],
  [{ generation_repetition_penalty: NaN }, 'generation_repetition_penalty must be above 0, got NaN'],
  [{ held_out_fraction: 1 }, 'held_out_fraction must be in [0, 1), got 1'],
  [{ held_out_fraction: -0.01 }, 'held_out_fraction must be in [0, 1), got -0.01'],
  [{ held_out_fraction: NaN }, 'held_out_fraction must be in [0, 1), got NaN'],
  [{ pop_criterion: 'best' as never }, "pop_criterion must be 'loss', 'acc' or 'combined', got 'best'"],
  [{ pop_topk_strategy: 'some' as never }, "pop_topk_strategy must be 'different_start_token' or 'all', got 'some'"],
];

describe('resolveOptions at every boundary', () => {
  it.each(accepted)('accepts %s', (_name, input) => {
    expect(resolveOptions(input)).toEqual({ ...DEFAULT_OPTIONS, ...input });
  });

  it.each(refused.map(([input, message]) => [message, input] as const))('refuses: %s', (message, input) => {
    const error = thrown(() => resolveOptions(input), OptionsError);
    expect(error.name).toBe('OptionsError');
    expect(error.message).toBe(message);
  });

  it('refuses an unknown name, listing the options there are', () => {
    expect(() => resolveOptions({ pop_sise: 3 } as never)).toThrow(
      "Unknown option 'pop_sise'. Options: num_learned_tokens, pop_size, pop_criterion, pop_topk_strategy, num_mutations, prefix_before_input, do_final_reranking, num_random_generations, generation_repetition_penalty, generation_temp, generation_top_p, generation_top_k, early_stopping_steps, batch_size, max_length, n_epochs, n_shots, preprefix, single_shot_loss, max_n_datapoints, max_n_steps, mask_possible_answers, llm_candidate_regeneration_prompt_start, llm_candidate_regeneration_prompt_end, seed, verbose, final_rerank_top_k, final_rerank_min_batches, held_out_fraction, n_eval, n_explanations, clean_explanations, clean_tolerance, lr, gamma, accum_grad_over_epoch",
    );
  });

  it('treats an option given as undefined as not given', () => {
    expect(resolveOptions({ batch_size: undefined, seed: 3 })).toEqual({ ...DEFAULT_OPTIONS, seed: 3 });
  });

  it("has the reference's defaults, with the documented deviations (reference section 1.1)", () => {
    // Written out from iprompt-reference.md: imodelsx's defaults except num_learned_tokens (1),
    // do_final_reranking (false) and max_n_datapoints (10000), plus our final-ranking and explanation options.
    expect(resolveOptions()).toEqual({
      num_learned_tokens: 6, pop_size: 8, pop_criterion: 'loss', pop_topk_strategy: 'different_start_token', num_mutations: 4,
      prefix_before_input: true, do_final_reranking: true, num_random_generations: 4, generation_repetition_penalty: 2,
      generation_temp: 1, generation_top_p: 1, generation_top_k: 50, early_stopping_steps: -1, batch_size: 64, max_length: 128,
      n_epochs: 100, n_shots: 1, preprefix: '', single_shot_loss: true, max_n_datapoints: 1000, max_n_steps: 10000,
      mask_possible_answers: false, llm_candidate_regeneration_prompt_start: 'Data:', llm_candidate_regeneration_prompt_end: 'Prompt:',
      seed: 42, verbose: 0, final_rerank_top_k: 64, final_rerank_min_batches: 2, held_out_fraction: 0.25, n_eval: 256,
      n_explanations: 10, clean_explanations: true, clean_tolerance: 0.01,
      lr: 0.01, gamma: 0, accum_grad_over_epoch: false,
    });
    expect(Object.isFrozen(DEFAULT_OPTIONS)).toBe(true);
  });
});
