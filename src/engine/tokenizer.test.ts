import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from './errors.ts';
import { TextTokenizer } from './tokenizer.ts';
import { thrown } from '../test/thrown.ts';
import { REPLICAS_DIR, TINY_LLAMA_DIR } from '../test/testModels.ts';

type Json = Record<string, any>;
const read = (dir: string, file: string): Json => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
const load = (dir: string, edit: (tok: Json) => void = () => {}) => {
  const tok = read(dir, 'tokenizer.json');
  edit(tok);
  return { json: tok, tokenizer: new TextTokenizer(tok, read(dir, 'tokenizer_config.json')) };
};
const LLAMA32 = path.join(REPLICAS_DIR, 'llama32-gqa');
const idOf = (tok: Json, content: string) => (tok.added_tokens as { id: number; content: string }[]).find((t) => t.content === content)!.id;

describe('TextTokenizer on the built tokenizers', () => {
  it("finds the BOS that Llama 3's post-processor puts in front; none where the post-processor adds none", () => {
    const { json, tokenizer } = load(LLAMA32);
    expect(tokenizer.specialPrefix()).toEqual([idOf(json, '<|begin_of_text|>')]);
    expect(load(TINY_LLAMA_DIR).tokenizer.specialPrefix()).toEqual([]);
  });

  it('finds two tokens in front, and none when the special token comes after the text', () => {
    const bos = { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } };
    const eos = { SpecialToken: { id: '<|end_of_text|>', type_id: 0 } };
    const two = load(LLAMA32, (tok) => {
      tok.post_processor.processors[1].single = [bos, eos, { Sequence: { id: 'A', type_id: 0 } }];
      tok.post_processor.processors[1].special_tokens['<|end_of_text|>'] = { id: '<|end_of_text|>', ids: [idOf(tok, '<|end_of_text|>')], tokens: ['<|end_of_text|>'] };
    });
    expect(two.tokenizer.specialPrefix()).toEqual([idOf(two.json, '<|begin_of_text|>'), idOf(two.json, '<|end_of_text|>')]);
    const after = load(LLAMA32, (tok) => {
      tok.post_processor.processors[1].single = [{ Sequence: { id: 'A', type_id: 0 } }, bos];
    });
    expect(after.tokenizer.specialPrefix()).toEqual([]);
    // And the text with special tokens added really ends with it.
    expect(after.tokenizer.encode('a', { addSpecialTokens: true }).at(-1)).toBe(idOf(after.json, '<|begin_of_text|>'));
  });

  it('adds special tokens only when asked, and decodes them unless told to skip them', () => {
    const { json, tokenizer } = load(LLAMA32);
    const bos = idOf(json, '<|begin_of_text|>');
    const plain = tokenizer.encode('the cat');
    expect(plain).not.toContain(bos);
    expect(tokenizer.encode('the cat', { addSpecialTokens: true })).toEqual([bos, ...plain]);
    expect(tokenizer.decode([bos, ...plain])).toBe('<|begin_of_text|>the cat');
    expect(tokenizer.decode([bos, ...plain], { skipSpecialTokens: true })).toBe('the cat');
    // No clean-up of spaces: " ," stays as it is.
    expect(tokenizer.decode(tokenizer.encode('a , b'))).toBe('a , b');
  });

  it('maps tokens and ids as the vocabulary in tokenizer.json says', () => {
    const { json, tokenizer } = load(TINY_LLAMA_DIR);
    const entries = Object.entries(json.model.vocab as Record<string, number>).slice(0, 50);
    for (const [token, id] of entries) {
      expect(tokenizer.tokenToId(token)).toBe(id);
      expect(tokenizer.idToToken(id)).toBe(token);
    }
    expect(tokenizer.tokenToId('no such token here')).toBeUndefined();
  });

  it('lists every id whose text contains a fragment, sorted, as the byte-level vocabulary says (Ċ is byte 0x0A)', () => {
    const { json, tokenizer } = load(TINY_LLAMA_DIR);
    const vocab = Object.entries(json.model.vocab as Record<string, number>);
    const containing = (piece: string) => vocab.filter(([token]) => token.includes(piece)).map(([, id]) => id).sort((a, b) => a - b);
    expect(containing('a').length).toBeGreaterThan(10);
    expect(tokenizer.idsContaining('a')).toEqual(containing('a'));
    expect(tokenizer.idsContaining('\n')).toEqual(containing('\u010a'));
    expect(tokenizer.idsContaining('\n')).toHaveLength(1);
  });

  it('searches the added tokens too, and sorts the ids whatever order the vocabulary is written in', () => {
    const { json, tokenizer } = load(TINY_LLAMA_DIR);
    expect(tokenizer.idsContaining('endoftext')).toEqual([idOf(json, '<|endoftext|>')]);
    const reversed = load(TINY_LLAMA_DIR, (tok) => {
      tok.model.vocab = Object.fromEntries(Object.entries(tok.model.vocab as Record<string, number>).reverse());
    });
    expect(reversed.tokenizer.idsContaining('a')).toEqual(tokenizer.idsContaining('a'));
  });

  it('a tokenizer.json it cannot read is BAD_MODEL, naming the file', () => {
    const error = thrown(() => new TextTokenizer({ model: { type: 'NoSuchModel' } }, {}), EngineError);
    expect(error.code).toBe('BAD_MODEL');
    expect(error.message).toMatch(/^tokenizer\.json could not be read: /);
    expect(error.file).toBe('tokenizer.json');
    expect(error.cause).toBeInstanceOf(Error);
  });
});
