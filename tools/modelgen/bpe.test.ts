import { describe, expect, it } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';
import {
  bytesToUnicode,
  decodeWithVocab,
  encodeWithMerges,
  preTokenize,
  trainByteLevelBpe,
  type TrainedBpe,
} from './bpe.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** Small deterministic PRNG so the corpus is the same on every run. */
const rng = mulberry32;

const WORDS =
  'the quick brown fox jumps over lazy dog answer input output numbers given rule prompt data sum word letter explain pattern result example value first last reverse count'.split(
    ' ',
  );

function corpus(lines = 2000, seed = 1): string[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const a = Math.floor(r() * 100);
    const b = Math.floor(r() * 10);
    switch (i % 3) {
      case 0:
        out.push(`Given the input numbers ${a} and ${b}, the answer is ${a + b}.\n\n`);
        break;
      case 1:
        out.push(`The ${pick(WORDS)} ${pick(WORDS)} is the answer to the ${pick(WORDS)}, isn't it?\n`);
        break;
      default:
        out.push(`${Array.from({ length: 7 }, () => pick(WORDS)).join(' ')}.\n`);
    }
  }
  return out;
}

function load(bpe: TrainedBpe): Tokenizer {
  // Round-trip through JSON text, as a browser would load the files.
  return new Tokenizer(JSON.parse(JSON.stringify(bpe.tokenizerJson)), JSON.parse(JSON.stringify(bpe.tokenizerConfig)));
}

const SAMPLES = [
  'Given the input numbers 8 and 0, the answer is 8.\n\n',
  'Given the input numbers 123 and 4567, the answer is 4690.',
  'The quick brown fox jumps over the lazy dog.',
  'hello   world  \n\n  with   multiple    spaces   ',
  '  leading and trailing  ',
  '\n',
  '\n\n\n',
  ' ',
  'tabs\tand\r\nwindows line endings\r\n',
  'café, naïve, résumé, É',
  '中文字符测试，以及日本語のテキスト',
  'emoji: 😀 🎉👍🏽 👨‍👩‍👧 done',
  "it's we're they've I'm you'll he'd",
  'x = f(3.14) * 2^10 // 1e-9; a_b-c',
  '١٢٣ ²³ Ⅻ ½',
  'mixed<|endoftext|>special<|endoftext|><|endoftext|> tokens',
  '<|endoftext|>',
  'unseen: zyxwvut QWERTY ~!@#$%^&*()_+{}|:"<>?',
];

describe('trainByteLevelBpe', () => {
  const bpe = trainByteLevelBpe(corpus(), { vocabSize: 360 });
  const tok = load(bpe);

  it('has exactly the requested vocab size and the documented id layout', () => {
    expect(bpe.vocab.size).toBe(360);
    expect(tok.get_vocab().size).toBe(360);
    expect(bpe.merges.length).toBe(360 - 257);
    expect(bpe.vocab.get('<|endoftext|>')).toBe(0);
    const byteChars = bytesToUnicode();
    for (let b = 0; b < 256; b++) expect(bpe.vocab.get(byteChars[b])).toBe(1 + b);
    expect(bpe.vocab.get('Ġ')).toBe(1 + 32);
    expect(bpe.vocab.get('Ċ')).toBe(1 + 10);
    // merges get ids in rank order
    bpe.merges.forEach(([a, b], i) => expect(bpe.vocab.get(a + b)).toBe(257 + i));
    const ids = [...bpe.vocab.values()].sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: 360 }, (_, i) => i));
  });

  it('emits a config the app expects', () => {
    expect(bpe.tokenizerConfig).toMatchObject({
      bos_token: '<|endoftext|>',
      eos_token: '<|endoftext|>',
      pad_token: '<|endoftext|>',
      unk_token: null,
      add_bos_token: false,
      add_eos_token: false,
      clean_up_tokenization_spaces: false,
      tokenizer_class: 'PreTrainedTokenizerFast',
    });
    const j = bpe.tokenizerJson as { added_tokens: unknown[]; model: { merges: unknown[] } };
    expect(j.added_tokens).toEqual([
      { id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ]);
    expect(typeof j.model.merges[0]).toBe('string');
  });

  it('round-trips text through the library (unicode, newlines, spaces)', () => {
    for (const s of SAMPLES) {
      const { ids } = tok.encode(s);
      expect(tok.decode(ids), JSON.stringify(s)).toBe(s);
    }
  });

  it('encodes numbers one token per digit', () => {
    const enc = tok.encode('the answer is 4690 and 12345678901234567890');
    const digits = enc.tokens.filter((t) => /\d/.test(t));
    expect(digits.join('')).toBe('469012345678901234567890');
    for (const t of digits) expect(t).toMatch(/^\d$/);
    for (const t of bpe.vocab.keys()) {
      if (/\d/.test(t)) expect(t).toMatch(/^\d$/);
    }
    expect(tok.encode('8').ids).toEqual([bpe.vocab.get('8')]);
  });

  it('learns frequent words as single tokens', () => {
    for (const w of [' answer', ' input', ' numbers', ' the', 'Given']) {
      const { ids, tokens } = tok.encode(w);
      expect(tokens, w).toEqual([w.replace(/ /g, 'Ġ')]);
      expect(ids).toEqual([bpe.vocab.get(w.replace(/ /g, 'Ġ'))]);
    }
    // newline pairs are frequent too
    expect(tok.encode('\n\n').tokens).toEqual(['ĊĊ']);
  });

  it('encodes special tokens to their id', () => {
    expect(tok.encode('<|endoftext|>').ids).toEqual([0]);
    const ids = tok.encode('a<|endoftext|>b').ids;
    expect(ids).toEqual([bpe.vocab.get('a'), 0, bpe.vocab.get('b')]);
    expect(tok.decode([0])).toBe('<|endoftext|>');
  });

  it('matches the reference encoder id for id', () => {
    const extra = corpus(200, 99);
    for (const s of [...SAMPLES, ...extra, extra.join('')]) {
      const ref = encodeWithMerges(s, bpe);
      expect(ref, JSON.stringify(s)).toEqual(tok.encode(s).ids);
      if (ref.length > 0) expect(decodeWithVocab(ref, bpe)).toBe(s);
    }
    expect(encodeWithMerges('', bpe)).toEqual([]);
  });

  it('is deterministic byte for byte', () => {
    const again = trainByteLevelBpe(corpus(), { vocabSize: 360 });
    expect(JSON.stringify(again.tokenizerJson)).toBe(JSON.stringify(bpe.tokenizerJson));
    expect(JSON.stringify(again.tokenizerConfig)).toBe(JSON.stringify(bpe.tokenizerConfig));
    const a = trainByteLevelBpe(corpus().join(''), { vocabSize: 360 });
    const b = trainByteLevelBpe(corpus().join(''), { vocabSize: 360 });
    expect(JSON.stringify(a.tokenizerJson)).toBe(JSON.stringify(b.tokenizerJson));
  });

  it('breaks ties by highest count, then smallest pair', () => {
    // 'ab' and 'cd' both occur 3 times; 'xy' occurs 5 times
    // words: 'cd' x1, ' ab' x3, ' xy' x5, ' cd' x2
    const t = trainByteLevelBpe(['cd ab xy cd ab xy cd ab xy xy xy'], {
      vocabSize: 257 + 4,
      minFrequency: 1,
    });
    expect(t.merges).toEqual([
      ['x', 'y'], // 5, ties with (Ġ,x) and 'x' < 'Ġ'
      ['Ġ', 'xy'], // 5
      ['a', 'b'], // 3, ties with (Ġ,a), (c,d)
      ['c', 'd'], // 3, ties with (Ġ,ab)
    ]);
  });

  it('stops early when pairs fall below minFrequency', () => {
    const t = trainByteLevelBpe('abc abc', { vocabSize: 1000, minFrequency: 2 });
    expect(t.vocab.size).toBeLessThan(1000);
    expect(t.merges.map((m) => m.join(''))).toContain('abc');
    const r = trainByteLevelBpe('abc abc', { vocabSize: 1000, minFrequency: 3 });
    expect(r.merges).toEqual([]);
    expect(r.vocab.size).toBe(257);
  });

  it('supports several special tokens and pair-format merges', () => {
    const t = trainByteLevelBpe(corpus(300), {
      vocabSize: 300,
      specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
      mergesFormat: 'pairs',
    });
    expect(t.vocab.get('<|im_start|>')).toBe(1);
    expect(t.vocab.get('<|im_end|>')).toBe(2);
    expect(t.vocab.get('!')).toBe(3 + 33);
    const lib = load(t);
    const s = '<|im_start|>user\nGiven 12 and 3<|im_end|><|endoftext|>';
    expect(lib.encode(s).ids).toEqual(encodeWithMerges(s, t));
    expect(lib.encode(s).ids.slice(0, 1)).toEqual([1]);
    expect(lib.decode(lib.encode(s).ids)).toBe(s);
    expect(lib.decode(lib.encode(s).ids, { skip_special_tokens: true })).toBe('user\nGiven 12 and 3');
  });

  it('rejects a vocab smaller than the alphabet', () => {
    expect(() => trainByteLevelBpe('x', { vocabSize: 256 })).toThrow();
  });

  it('pre-tokenizes like the library', () => {
    expect(preTokenize("Given 12, it's\n\n  ok")).toEqual(['Given', 'Ġ', '1', '2', ',', 'Ġit', "'s", 'ĊĊĠ', 'Ġok']);
  });

  it('trains 2,000 tokens on ~2 MB quickly', () => {
    const big: string[] = [];
    let size = 0;
    let seed = 1000;
    while (size < 2_000_000) {
      const part = corpus(2000, seed++);
      for (const p of part) size += p.length;
      big.push(...part);
    }
    // add some variety so 2,000 merges exist
    const r = rng(5);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < 20000; i++) {
      const len = 3 + Math.floor(r() * 8);
      let w = '';
      for (let j = 0; j < len; j++) w += letters[Math.floor(r() * (r() < 0.7 ? 8 : 26))];
      big.push(` ${w}`);
    }
    const t0 = performance.now();
    const t = trainByteLevelBpe(big, { vocabSize: 2000 });
    const ms = performance.now() - t0;
    expect(t.vocab.size).toBe(2000);
    expect(ms).toBeLessThan(30_000);
    const lib = load(t);
    const s = big.slice(0, 50).join('');
    expect(lib.encode(s).ids).toEqual(encodeWithMerges(s, t));
  });
});

describe('incremental pair counting', () => {
  /** Recounts every pair each step: slow but obviously right. */
  function naiveMerges(docs: string[], nMerges: number, minFrequency: number): [string, string][] {
    const freq = new Map<string, number>();
    for (const d of docs) for (const w of preTokenize(d)) freq.set(w, (freq.get(w) ?? 0) + 1);
    let words = [...freq].map(([w, f]) => ({ parts: Array.from(w), f }));
    const merges: [string, string][] = [];
    while (merges.length < nMerges) {
      const counts = new Map<string, { a: string; b: string; c: number }>();
      for (const { parts, f } of words) {
        for (let i = 0; i + 1 < parts.length; i++) {
          const k = `${parts[i]}\u0000${parts[i + 1]}`;
          const e = counts.get(k) ?? { a: parts[i], b: parts[i + 1], c: 0 };
          e.c += f;
          counts.set(k, e);
        }
      }
      let best: { a: string; b: string; c: number } | null = null;
      for (const e of counts.values()) {
        if (!best || e.c > best.c || (e.c === best.c && (e.a < best.a || (e.a === best.a && e.b < best.b)))) best = e;
      }
      if (!best || best.c < minFrequency) break;
      const { a, b } = best;
      merges.push([a, b]);
      words = words.map(({ parts, f }) => {
        const out: string[] = [];
        for (let i = 0; i < parts.length; ) {
          if (i + 1 < parts.length && parts[i] === a && parts[i + 1] === b) {
            out.push(a + b);
            i += 2;
          } else out.push(parts[i++]);
        }
        return { parts: out, f };
      });
    }
    return merges;
  }

  it('gives the same merges as a full recount', () => {
    const docs = corpus(300, 3);
    docs.push('aaaaaaa aaaa aaa abababab ababab bbbb', 'é é é ée 中中中 😀😀');
    const t = trainByteLevelBpe(docs, { vocabSize: 257 + 120, specialTokens: ['<|endoftext|>'] });
    expect(t.merges).toEqual(naiveMerges(docs, 120, 2));
  });
});
