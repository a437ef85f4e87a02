import { describe, expect, it } from 'vitest';
import { EngineError } from './errors.ts';
import { parseDecoderShape, parseJsonFile } from './modelConfig.ts';
import { thrown } from '../test/thrown.ts';

// Abridged from the config.json files of the models the app offers.
const smolLM2 = { model_type: 'llama', hidden_size: 576, num_attention_heads: 9, num_key_value_heads: 3, num_hidden_layers: 30, vocab_size: 49152, max_position_embeddings: 8192, bos_token_id: 1, eos_token_id: 2, pad_token_id: 2 };
const qwen25 = { model_type: 'qwen2', hidden_size: 896, num_attention_heads: 14, num_key_value_heads: 2, num_hidden_layers: 24, vocab_size: 151936, bos_token_id: 151643, eos_token_id: 151645 };
const qwen3 = { model_type: 'qwen3', hidden_size: 1024, head_dim: 128, num_attention_heads: 16, num_key_value_heads: 8, num_hidden_layers: 28, vocab_size: 151936, eos_token_id: 151645 };
const phi3 = { model_type: 'phi3', hidden_size: 3072, num_attention_heads: 32, num_key_value_heads: 32, num_hidden_layers: 32, vocab_size: 32064, eos_token_id: 32000 };
const gpt2 = { model_type: 'gpt2', n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, vocab_size: 50257, bos_token_id: 50256, eos_token_id: 50256 };

describe('parseDecoderShape', () => {
  it('reads grouped-query heads and derives head_dim', () => {
    expect(parseDecoderShape(smolLM2)).toMatchObject({ numLayers: 30, numHeads: 9, numKvHeads: 3, headDim: 64, vocabSize: 49152, eosTokenIds: [2], padTokenId: 2 });
    expect(parseDecoderShape(qwen25)).toMatchObject({ numKvHeads: 2, headDim: 64 });
  });

  it('takes an explicit head_dim over hidden / heads (Qwen3: 128, not 64)', () => {
    expect(parseDecoderShape(qwen3).headDim).toBe(128);
  });

  it('defaults key-value heads to attention heads (Phi-3) and reads GPT-2 names', () => {
    expect(parseDecoderShape(phi3)).toMatchObject({ numKvHeads: 32, headDim: 96 });
    expect(parseDecoderShape(gpt2)).toMatchObject({ modelType: 'gpt2', numLayers: 12, numHeads: 12, numKvHeads: 12, headDim: 64, maxPositions: 1024 });
  });

  it('takes every end-of-sequence id from generation_config.json', () => {
    expect(parseDecoderShape(qwen25, { eos_token_id: [151645, 151643], bos_token_id: 151643 }).eosTokenIds).toEqual([151645, 151643]);
  });

  it('reads a nested text_config, and names config.json when fields are missing', () => {
    expect(parseDecoderShape({ model_type: 'x', text_config: qwen3 }).numLayers).toBe(28);
    expect(thrown(() => parseDecoderShape({ model_type: 'llama' }), EngineError).file).toBe('config.json');
  });
});

describe('parseDecoderShape at its edges', () => {
  const refusal = (cfg: Record<string, unknown>) => thrown(() => parseDecoderShape(cfg), EngineError);
  const { num_hidden_layers: _l, num_attention_heads: _h, hidden_size: _d, vocab_size: _v, ...rest } = smolLM2;

  it('refuses a config missing any one of layers, heads, vocabulary and width, naming config.json', () => {
    for (const drop of ['num_hidden_layers', 'num_attention_heads', 'vocab_size', 'hidden_size']) {
      const cfg: Record<string, unknown> = { ...smolLM2 };
      delete cfg[drop];
      const err = refusal(cfg);
      expect(err.code, drop).toBe('BAD_MODEL');
      expect(err.file).toBe('config.json');
      expect(err.message).toBe('config.json lacks num_hidden_layers, num_attention_heads, hidden_size or vocab_size (or their GPT-2 names).');
    }
  });

  it('counts a value as given only when it is a finite number', () => {
    for (const bad of ['30', NaN, Infinity, null]) expect(refusal({ ...smolLM2, num_hidden_layers: bad }).code).toBe('BAD_MODEL');
  });

  it('reads the other names: num_layers, num_heads, d_model, n_head_kv, multi_query_group_num, n_ctx', () => {
    const shape = parseDecoderShape({ model_type: 'x', num_layers: 4, num_heads: 8, d_model: 256, vocab_size: 100, n_head_kv: 2, n_ctx: 512 });
    expect(shape).toMatchObject({ numLayers: 4, numHeads: 8, hiddenSize: 256, headDim: 32, numKvHeads: 2, maxPositions: 512 });
    const { num_key_value_heads: _k, ...noKv } = smolLM2;
    expect(parseDecoderShape({ ...noKv, multi_query_group_num: 1 }).numKvHeads).toBe(1);
    expect(parseDecoderShape(smolLM2).maxPositions).toBe(8192);
    expect(parseDecoderShape(qwen25).maxPositions).toBeNull();
  });

  it('takes head_dim without a width, and says the width is unknown', () => {
    const shape = parseDecoderShape({ ...rest, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 10, head_dim: 16 });
    expect(shape).toMatchObject({ headDim: 16, hiddenSize: null, modelType: 'llama' });
    expect(parseDecoderShape({ ...smolLM2, model_type: 7 }).modelType).toBe('unknown');
  });

  it('takes BOS and padding from generation_config.json first, then config.json, else none; end ids de-duplicated, non-numbers dropped', () => {
    expect(parseDecoderShape(smolLM2, { bos_token_id: 5, pad_token_id: [6, 7] })).toMatchObject({ bosTokenId: 5, padTokenId: 6 });
    expect(parseDecoderShape(smolLM2, {})).toMatchObject({ bosTokenId: 1, padTokenId: 2 });
    expect(parseDecoderShape(qwen3)).toMatchObject({ bosTokenId: null, padTokenId: null });
    expect(parseDecoderShape(smolLM2, { eos_token_id: [3, 'x', 4, 3] }).eosTokenIds).toEqual([3, 4]);
    expect(parseDecoderShape({ ...smolLM2, eos_token_id: 'none' }).eosTokenIds).toEqual([]);
  });
});

describe('parseJsonFile', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const refusal = (b: Uint8Array) => thrown(() => parseJsonFile(b, 'config.json'), EngineError);

  it('reads a JSON object', () => {
    expect(parseJsonFile(bytes('{"a": [1, "é"]}'), 'config.json')).toEqual({ a: [1, 'é'] });
  });

  it('refuses what is not a JSON object, naming the file and why', () => {
    for (const [text, why] of [['[1]', 'not a JSON object'], ['null', 'not a JSON object'], ['3', 'not a JSON object'], ['"s"', 'not a JSON object']]) {
      const err = refusal(bytes(text));
      expect(err.code).toBe('BAD_MODEL');
      expect(err.file).toBe('config.json');
      expect(err.message).toBe(`config.json is not valid JSON: ${why}`);
    }
    const broken = refusal(bytes('{"a": '));
    expect(broken.message).toMatch(/^config\.json is not valid JSON: /);
    expect(broken.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses bytes that are not UTF-8 rather than reading replacement characters', () => {
    const err = refusal(Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
    expect(err.code).toBe('BAD_MODEL');
    expect(err.cause).toBeInstanceOf(TypeError);
  });
});
