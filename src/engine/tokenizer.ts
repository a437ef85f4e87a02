/**
 * Text <-> token ids through @huggingface/tokenizers (the tokenizer engine of transformers.js),
 * from a model's tokenizer.json and tokenizer_config.json.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from './errors.ts';

export class TextTokenizer {
  private readonly tok: Tokenizer;

  constructor(tokenizerJson: object, tokenizerConfig: object) {
    try {
      this.tok = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (err) {
      throw new EngineError('BAD_MODEL', `tokenizer.json could not be read: ${(err as Error).message}`, { file: 'tokenizer.json', cause: err });
    }
  }

  /** Ids of `text`. Special tokens (BOS) are added only when asked: iPrompt tokenizes pieces. */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    return this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids;
  }

  /**
   * The ids the post-processor puts before a text when special tokens are added (Llama 3's BOS),
   * found by encoding a probe text both ways; [] when it adds none in front.
   */
  specialPrefix(): number[] {
    const probe = 'a';
    const plain = this.encode(probe);
    const full = this.encode(probe, { addSpecialTokens: true });
    for (let start = 0; start + plain.length <= full.length; start++) {
      if (plain.every((t, i) => full[start + i] === t)) return full.slice(0, start);
    }
    return [];
  }

  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    return this.tok.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }

  /** Ids of every vocabulary entry whose decoded text contains `fragment` (e.g. newlines to ban). */
  idsContaining(fragment: string): number[] {
    const out: number[] = [];
    for (const [, id] of this.tok.get_vocab(true)) if (this.decode([id]).includes(fragment)) out.push(id);
    return out.sort((a, b) => a - b);
  }
}
