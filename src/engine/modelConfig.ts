/**
 * The shape facts the engine needs from a model's config.json (and generation_config.json),
 * across the naming conventions of Llama/SmolLM2, Qwen2/2.5/3, Phi-3 and GPT-2.
 */
import { EngineError } from './errors.ts';

export interface DecoderShape {
  modelType: string;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  /** The residual width (hidden_size / n_embd), where config.json gives it. */
  hiddenSize: number | null;
  maxPositions: number | null;
  bosTokenId: number | null;
  /** Every id that ends a sequence (generation_config may list several). */
  eosTokenIds: number[];
  padTokenId: number | null;
}

type Json = Record<string, unknown>;

function num(cfg: Json, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = cfg[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

function ids(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
  return [];
}

export function parseDecoderShape(config: Json, generationConfig: Json | null = null): DecoderShape {
  // Multimodal and some newer configs nest the language model's settings.
  const cfg = (typeof config.text_config === 'object' && config.text_config !== null ? { ...config, ...(config.text_config as Json) } : config) as Json;
  const modelType = typeof cfg.model_type === 'string' ? cfg.model_type : 'unknown';
  const numLayers = num(cfg, 'num_hidden_layers', 'n_layer', 'num_layers');
  const numHeads = num(cfg, 'num_attention_heads', 'n_head', 'num_heads');
  const hidden = num(cfg, 'hidden_size', 'n_embd', 'd_model');
  const vocabSize = num(cfg, 'vocab_size');
  if (numLayers === undefined || numHeads === undefined || vocabSize === undefined || (hidden === undefined && num(cfg, 'head_dim') === undefined)) {
    throw new EngineError('BAD_MODEL', 'config.json lacks num_hidden_layers, num_attention_heads, hidden_size or vocab_size (or their GPT-2 names).', { file: 'config.json' });
  }
  const numKvHeads = num(cfg, 'num_key_value_heads', 'n_head_kv', 'multi_query_group_num') ?? numHeads;
  const headDim = num(cfg, 'head_dim') ?? (hidden as number) / numHeads;
  const gen = generationConfig ?? {};
  const eos = ids(gen.eos_token_id).length ? ids(gen.eos_token_id) : ids(cfg.eos_token_id);
  const bos = ids(gen.bos_token_id)[0] ?? ids(cfg.bos_token_id)[0] ?? null;
  const pad = ids(gen.pad_token_id)[0] ?? ids(cfg.pad_token_id)[0] ?? null;
  return {
    modelType,
    numLayers,
    numHeads,
    numKvHeads,
    headDim,
    vocabSize,
    hiddenSize: hidden ?? null,
    maxPositions: num(cfg, 'max_position_embeddings', 'n_positions', 'n_ctx') ?? null,
    bosTokenId: bos,
    eosTokenIds: [...new Set(eos)],
    padTokenId: pad,
  };
}

export function parseJsonFile(bytes: Uint8Array, file: string): Json {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Json;
  } catch (err) {
    throw new EngineError('BAD_MODEL', `${file} is not valid JSON: ${(err as Error).message}`, { file, cause: err });
  }
}
