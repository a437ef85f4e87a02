/**
 * A small, deterministic trainer for a byte-level BPE tokenizer (GPT-2 / Llama 3 / Qwen style)
 * that writes a Hugging Face `tokenizer.json` plus a matching `tokenizer_config.json` object.
 * Pure TypeScript, no dependencies.
 *
 * Id layout (fixed, documented):
 *   0 .. n-1          the special tokens, in the order given (default ['<|endoftext|>'])
 *   n .. n+255        the 256 byte tokens, by byte value: byte b has id n + b, spelled with
 *                     GPT-2's bytes_to_unicode alphabet (space = 'Ġ', '\n' = 'Ċ', ...)
 *   n+256 ..          one token per merge, in merge (rank) order
 * so `vocabSize` counts everything. Training stops early (smaller vocab) only when no pair
 * reaches `minFrequency` any more.
 *
 * Pre-tokenization (what the emitted tokenizer.json does, and what training and
 * `encodeWithMerges` replicate exactly as @huggingface/tokenizers 0.2.0 runs it in JS):
 *   1. special tokens are cut out of the text first (leftmost, longest match);
 *   2. Split on /\p{N}/ with behavior "Isolated": every digit becomes its own piece, so numbers
 *      encode one token per digit (as in Llama 3 / Qwen);
 *   3. ByteLevel (add_prefix_space false, use_regex true): GPT-2's regex
 *      `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, then UTF-8
 *      bytes mapped through bytes_to_unicode. (The library uses JavaScript's `\s`; Rust's
 *      differs only for U+FEFF / U+0085.) A space before a digit becomes its own 'Ġ' piece.
 *
 * Training: classic BPE over pre-token ("word") frequencies. Each step merges the adjacent
 * pair with the highest count; ties go to the lexicographically smallest pair, comparing the
 * left token's string and then the right one's (UTF-16 code units of the byte-level spelling).
 * Pair counts are kept incrementally with an index pair -> words and a lazy max-heap, so only
 * the words that contain the merged pair are touched per step.
 */

export interface BpeTrainOptions {
  /** Total vocabulary size: special tokens + 256 byte tokens + merges. */
  vocabSize: number;
  /** Special tokens, ids 0..n-1 in this order. Default ['<|endoftext|>']. */
  specialTokens?: string[];
  /** A pair must occur at least this often (weighted by word frequency) to be merged. Default 2. */
  minFrequency?: number;
  /** Defaults to '<|endoftext|>' when it is a special token, else the first special token. */
  bosToken?: string | null;
  eosToken?: string | null;
  padToken?: string | null;
  /** tokenizer_config.json model_max_length. Default 2048. */
  modelMaxLength?: number;
  /** How merges are written in tokenizer.json: "a b" strings (default; every HF reader accepts
   * them) or [a, b] pairs (tokenizers >= 0.20 format). @huggingface/tokenizers reads both. */
  mergesFormat?: 'strings' | 'pairs';
}

export interface TrainedBpe {
  tokenizerJson: object;
  tokenizerConfig: object;
  /** Token string (byte-level spelling) -> id, specials included; ids are 0..size-1. */
  vocab: Map<string, number>;
  /** Merges in rank order, as byte-level token strings. */
  merges: [string, string][];
  /** The special tokens, ids 0..n-1. */
  specialTokens: string[];
}

export const DEFAULT_SPECIAL_TOKEN = '<|endoftext|>';

/** GPT-2's regex, exactly as @huggingface/tokenizers' ByteLevel pre-tokenizer compiles it. */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
/** The digit split (emitted as Split { Regex: "\\p{N}" }, behavior Isolated). */
const DIGIT_PATTERN = /\p{N}/gu;

// ---------------------------------------------------------------------------------------------
// Byte-level alphabet

/** GPT-2's bytes_to_unicode: byte value -> printable character. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out = new Array<string>(256);
  for (let i = 0; i < 256; i++) out[bs[i]] = String.fromCharCode(cs[i]);
  return out;
}

const BYTE_TO_CHAR = bytesToUnicode();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));
const utf8 = new TextEncoder();

/** UTF-8 bytes of `s` spelled in the byte-level alphabet. */
export function toByteLevel(s: string): string {
  const bytes = utf8.encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_CHAR[bytes[i]];
  return out;
}

/** Inverse of toByteLevel for a whole token sequence (invalid UTF-8 becomes U+FFFD). */
export function fromByteLevel(s: string): string {
  const bytes = new Uint8Array(s.length);
  let n = 0;
  for (const c of s) {
    const b = CHAR_TO_BYTE.get(c);
    if (b === undefined) throw new Error(`not a byte-level character: ${JSON.stringify(c)}`);
    bytes[n++] = b;
  }
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes.subarray(0, n));
}

// ---------------------------------------------------------------------------------------------
// Pre-tokenization

/** Splits `text` into [segment, isSpecial] pieces: leftmost, longest special-token match wins
 * (what the library's added-token splitter does). */
export function splitOnSpecialTokens(text: string, specialTokens: readonly string[]): { text: string; special: boolean }[] {
  const specials = specialTokens.filter((s) => s.length > 0);
  if (specials.length === 0) return text.length ? [{ text, special: false }] : [];
  const out: { text: string; special: boolean }[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    let match: string | null = null;
    for (const s of specials) {
      if ((match === null || s.length > match.length) && text.startsWith(s, i)) match = s;
    }
    if (match !== null) {
      if (i > start) out.push({ text: text.slice(start, i), special: false });
      out.push({ text: match, special: true });
      i += match.length;
      start = i;
    } else {
      i++;
    }
  }
  if (start < text.length) out.push({ text: text.slice(start), special: false });
  return out;
}

/** Pre-tokenizes text that contains no special tokens: digit split, GPT-2 regex, byte-level
 * mapping. Returns the byte-level words. */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  let prev = 0;
  const pushPiece = (piece: string) => {
    for (const m of piece.matchAll(GPT2_PATTERN)) out.push(toByteLevel(m[0]));
  };
  for (const m of text.matchAll(DIGIT_PATTERN)) {
    const idx = m.index ?? 0;
    if (idx > prev) pushPiece(text.slice(prev, idx));
    pushPiece(m[0]);
    prev = idx + m[0].length;
  }
  if (prev < text.length) pushPiece(text.slice(prev));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Training

interface HeapEntry {
  count: number;
  a: number;
  b: number;
}

/** Max-heap on count, then smallest (token[a], token[b]). */
class PairHeap {
  private items: HeapEntry[] = [];
  constructor(private readonly tokens: string[]) {}
  get size(): number {
    return this.items.length;
  }
  private before(x: HeapEntry, y: HeapEntry): boolean {
    if (x.count !== y.count) return x.count > y.count;
    const xa = this.tokens[x.a];
    const ya = this.tokens[y.a];
    if (xa !== ya) return xa < ya;
    return this.tokens[x.b] < this.tokens[y.b];
  }
  push(e: HeapEntry): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): HeapEntry | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Pair key; ids stay far below 2^21 so the key is an exact double. */
const PAIR_SHIFT = 2 ** 21;
const pairKey = (a: number, b: number) => a * PAIR_SHIFT + b;

function resolveToken(opt: string | null | undefined, fallback: string | null): string | null {
  return opt === undefined ? fallback : opt;
}

/**
 * Trains a byte-level BPE tokenizer. `corpus` is one string or any iterable of strings (each
 * treated as a separate document; pre-tokens never span documents). Special tokens found in
 * the corpus are cut out before pre-tokenization and learn no merges.
 */
export function trainByteLevelBpe(corpus: string | Iterable<string>, opts: BpeTrainOptions): TrainedBpe {
  const specialTokens = [...(opts.specialTokens ?? [DEFAULT_SPECIAL_TOKEN])];
  const minFrequency = Math.max(1, opts.minFrequency ?? 2);
  const vocabSize = opts.vocabSize;
  const nSpecial = specialTokens.length;
  if (!Number.isInteger(vocabSize) || vocabSize < nSpecial + 256) {
    throw new Error(`vocabSize must be an integer >= ${nSpecial + 256} (special tokens + 256 bytes), got ${vocabSize}`);
  }
  if (vocabSize >= PAIR_SHIFT) throw new Error(`vocabSize must be < ${PAIR_SHIFT}`);

  // id -> token string, token string -> id
  const tokens: string[] = [];
  const vocab = new Map<string, number>();
  for (const s of specialTokens) {
    if (s.length === 0) throw new Error('special tokens must be non-empty');
    if (vocab.has(s)) throw new Error(`duplicate special token ${JSON.stringify(s)}`);
    vocab.set(s, tokens.length);
    tokens.push(s);
  }
  for (let b = 0; b < 256; b++) {
    const c = BYTE_TO_CHAR[b];
    if (vocab.has(c)) throw new Error(`special token ${JSON.stringify(c)} collides with a byte token`);
    vocab.set(c, tokens.length);
    tokens.push(c);
  }

  // 1. word frequencies (Map iteration order = first occurrence: deterministic)
  const wordFreq = new Map<string, number>();
  const docs = typeof corpus === 'string' ? [corpus] : corpus;
  for (const doc of docs) {
    for (const seg of splitOnSpecialTokens(doc, specialTokens)) {
      if (seg.special) continue;
      for (const w of preTokenize(seg.text)) wordFreq.set(w, (wordFreq.get(w) ?? 0) + 1);
    }
  }

  // 2. words as symbol-id arrays
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [w, f] of wordFreq) {
    const syms: number[] = [];
    for (const c of w) syms.push(nSpecial + CHAR_TO_BYTE.get(c)!);
    words.push(syms);
    freqs.push(f);
  }

  // 3. initial pair counts and pair -> words index
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  for (let wi = 0; wi < words.length; wi++) {
    const w = words[wi];
    const f = freqs[wi];
    for (let i = 0; i + 1 < w.length; i++) {
      const k = pairKey(w[i], w[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + f);
      let set = pairWords.get(k);
      if (!set) pairWords.set(k, (set = new Set()));
      set.add(wi);
    }
  }
  const heap = new PairHeap(tokens);
  for (const [k, count] of pairCount) {
    heap.push({ count, a: Math.floor(k / PAIR_SHIFT), b: k % PAIR_SHIFT });
  }

  // 4. merge loop
  const merges: [string, string][] = [];
  while (tokens.length < vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const key = pairKey(top.a, top.b);
    const actual = pairCount.get(key) ?? 0;
    if (actual !== top.count) {
      // stale entry: counts of existing pairs only ever go down
      if (actual > 0) heap.push({ count: actual, a: top.a, b: top.b });
      continue;
    }
    if (actual < minFrequency) break;

    const left = tokens[top.a];
    const right = tokens[top.b];
    const merged = left + right;
    merges.push([left, right]);
    let newId = vocab.get(merged);
    if (newId === undefined) {
      newId = tokens.length;
      vocab.set(merged, newId);
      tokens.push(merged);
    }

    const delta = new Map<number, number>();
    const affected = pairWords.get(key);
    pairWords.delete(key);
    if (affected) {
      for (const wi of affected) {
        const w = words[wi];
        const f = freqs[wi];
        // does this word (still) contain the pair?
        let has = false;
        for (let i = 0; i + 1 < w.length; i++) {
          if (w[i] === top.a && w[i + 1] === top.b) {
            has = true;
            break;
          }
        }
        if (!has) continue;
        const oldPairs = new Set<number>();
        for (let i = 0; i + 1 < w.length; i++) {
          const k = pairKey(w[i], w[i + 1]);
          oldPairs.add(k);
          delta.set(k, (delta.get(k) ?? 0) - f);
        }
        const nw: number[] = [];
        for (let i = 0; i < w.length; ) {
          if (i + 1 < w.length && w[i] === top.a && w[i + 1] === top.b) {
            nw.push(newId);
            i += 2;
          } else {
            nw.push(w[i]);
            i += 1;
          }
        }
        words[wi] = nw;
        const newPairs = new Set<number>();
        for (let i = 0; i + 1 < nw.length; i++) {
          const k = pairKey(nw[i], nw[i + 1]);
          newPairs.add(k);
          delta.set(k, (delta.get(k) ?? 0) + f);
        }
        for (const k of oldPairs) {
          if (!newPairs.has(k) && k !== key) pairWords.get(k)?.delete(wi);
        }
        for (const k of newPairs) {
          let set = pairWords.get(k);
          if (!set) pairWords.set(k, (set = new Set()));
          set.add(wi);
        }
      }
    }
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const c = (pairCount.get(k) ?? 0) + d;
      if (c > 0) pairCount.set(k, c);
      else pairCount.delete(k);
      // Only pairs that gained occurrences (those containing the new token) need an entry;
      // stale entries of pairs that lost some are fixed up lazily when popped.
      if (d > 0) heap.push({ count: c, a: Math.floor(k / PAIR_SHIFT), b: k % PAIR_SHIFT });
    }
    pairCount.delete(key);
  }

  const bosToken = resolveToken(opts.bosToken, defaultSpecial(specialTokens));
  const eosToken = resolveToken(opts.eosToken, defaultSpecial(specialTokens));
  const padToken = resolveToken(opts.padToken, defaultSpecial(specialTokens));
  for (const t of [bosToken, eosToken, padToken]) {
    if (t !== null && !vocab.has(t)) throw new Error(`token ${JSON.stringify(t)} is not in the vocabulary`);
  }

  const tokenizerJson = buildTokenizerJson(tokens, merges, specialTokens, opts.mergesFormat ?? 'strings');
  const tokenizerConfig = {
    added_tokens_decoder: Object.fromEntries(
      specialTokens.map((content, id) => [
        String(id),
        { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
      ]),
    ),
    bos_token: bosToken,
    eos_token: eosToken,
    pad_token: padToken,
    unk_token: null,
    model_max_length: opts.modelMaxLength ?? 2048,
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
  return { tokenizerJson, tokenizerConfig, vocab, merges, specialTokens };
}

function defaultSpecial(specialTokens: string[]): string | null {
  if (specialTokens.includes(DEFAULT_SPECIAL_TOKEN)) return DEFAULT_SPECIAL_TOKEN;
  return specialTokens[0] ?? null;
}

function buildTokenizerJson(
  tokens: string[],
  merges: [string, string][],
  specialTokens: string[],
  mergesFormat: 'strings' | 'pairs',
): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: '\\p{N}' }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
      ],
    },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      // Object.fromEntries keeps a "__proto__" key as an own property. (JSON key order: the
      // integer-like keys "0".."9" come first, as JS orders them; ids are unaffected.)
      vocab: Object.fromEntries(tokens.map((t, id) => [t, id])),
      merges: mergesFormat === 'pairs' ? merges.map(([a, b]) => [a, b]) : merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reference encoder

export interface BpeModelLike {
  vocab: Map<string, number>;
  merges: [string, string][];
  /** Special tokens to cut out first; default: none. */
  specialTokens?: readonly string[];
}

const rankCache = new WeakMap<object, Map<string, number>>();

function ranksOf(merges: [string, string][]): Map<string, number> {
  let ranks = rankCache.get(merges);
  if (!ranks) {
    ranks = new Map();
    for (let i = 0; i < merges.length; i++) {
      const k = `${merges[i][0]}\u0000${merges[i][1]}`;
      if (!ranks.has(k)) ranks.set(k, i);
    }
    rankCache.set(merges, ranks);
  }
  return ranks;
}

/** GPT-2's bpe(): repeatedly merge every occurrence (left to right) of the lowest-rank pair. */
export function bpeWord(word: string, merges: [string, string][]): string[] {
  const ranks = ranksOf(merges);
  let parts = Array.from(word);
  while (parts.length > 1) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = ranks.get(`${parts[i]}\u0000${parts[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) break;
    const a = parts[best];
    const b = parts[best + 1];
    const next: string[] = [];
    for (let i = 0; i < parts.length; ) {
      if (i + 1 < parts.length && parts[i] === a && parts[i + 1] === b) {
        next.push(a + b);
        i += 2;
      } else {
        next.push(parts[i]);
        i += 1;
      }
    }
    parts = next;
  }
  return parts;
}

/**
 * A plain reference encoder: cut out special tokens, pre-tokenize (digit split, GPT-2 regex,
 * byte-level), apply merges by rank. Produces the ids @huggingface/tokenizers produces for the
 * emitted tokenizer.json (no BOS/EOS are added). `bpe` is a TrainedBpe or anything with
 * vocab + merges (+ specialTokens).
 */
export function encodeWithMerges(text: string, bpe: BpeModelLike): number[] {
  const ids: number[] = [];
  for (const seg of splitOnSpecialTokens(text, bpe.specialTokens ?? [])) {
    if (seg.special) {
      ids.push(bpe.vocab.get(seg.text)!);
      continue;
    }
    for (const word of preTokenize(seg.text)) {
      for (const t of bpeWord(word, bpe.merges)) {
        const id = bpe.vocab.get(t);
        if (id === undefined) throw new Error(`token ${JSON.stringify(t)} is not in the vocabulary`);
        ids.push(id);
      }
    }
  }
  return ids;
}

/** Inverse of encodeWithMerges (special tokens are written out as their text). */
export function decodeWithVocab(ids: readonly number[], bpe: Pick<BpeModelLike, 'vocab' | 'specialTokens'>): string {
  const byId = new Map<number, string>();
  for (const [t, id] of bpe.vocab) byId.set(id, t);
  const specials = new Set(bpe.specialTokens ?? []);
  let out = '';
  let run = '';
  for (const id of ids) {
    const t = byId.get(id);
    if (t === undefined) throw new Error(`unknown id ${id}`);
    if (specials.has(t)) {
      out += fromByteLevel(run) + t;
      run = '';
    } else {
      run += t;
    }
  }
  return out + fromByteLevel(run);
}
