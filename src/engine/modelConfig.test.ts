import { describe, expect, it } from 'vitest';
import { EngineError } from './errors.ts';
import { parseDecoderShape } from './modelConfig.ts';

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
    expect(() => parseDecoderShape({ model_type: 'llama' })).toThrow(EngineError);
    try {
      parseDecoderShape({ model_type: 'llama' });
    } catch (err) {
      expect((err as EngineError).file).toBe('config.json');
    }
  });
});
