/**
 * Step 1 of the recipe: generate the corpus from the task suite, train the byte-level BPE
 * tokenizer on it, and write token ids for train.py.
 *
 *   npx tsx tools/train/prepare.ts --out .cache/train [--documents 60000] [--vocab 1024] [--seed 1]
 *
 * Writes corpus.txt, tokenizer.json, tokenizer_config.json, train.bin / val.bin (uint16 ids,
 * documents separated by <|endoftext|>) and meta.json (the model's shape for train.py).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TASKS } from '../../src/datasets/tasks/index.ts';
import { trainByteLevelBpe } from '../modelgen/bpe.ts';
import { corpusDocuments, DEFAULT_CORPUS } from './corpus.ts';

/** The shipped model's shape: about 1.8M parameters, trained in under an hour on two cores. */
export const MODEL_SHAPE = { hidden_size: 192, intermediate_size: 512, num_layers: 4, num_heads: 6, num_kv_heads: 2, head_dim: 32, max_positions: 512, rope_theta: 10000, rms_norm_eps: 1e-5 };

const EOS = '<|endoftext|>';

async function main() {
  const arg = (n: string, d: string) => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1] : d);
  const out = path.resolve(arg('--out', '.cache/train'));
  const documents = Number(arg('--documents', String(DEFAULT_CORPUS.documents)));
  const vocabSize = Number(arg('--vocab', '1024'));
  const seed = Number(arg('--seed', '1'));
  await mkdir(out, { recursive: true });
  const t0 = Date.now();
  const docs = [...corpusDocuments(TASKS, { ...DEFAULT_CORPUS, documents, seed })];
  await writeFile(path.join(out, 'corpus.txt'), docs.join(`\n${EOS}\n`));
  const bpe = trainByteLevelBpe(docs, { vocabSize, specialTokens: [EOS] });
  await writeFile(path.join(out, 'tokenizer.json'), JSON.stringify(bpe.tokenizerJson));
  await writeFile(path.join(out, 'tokenizer_config.json'), JSON.stringify(bpe.tokenizerConfig, null, 2));
  const tok = new Tokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);
  const eos = bpe.vocab.get(EOS)!;
  const ids: number[] = [];
  for (const d of docs) ids.push(...tok.encode(d, { add_special_tokens: false }).ids, eos);
  // The last 5% of documents are held out for the validation loss.
  const cut = Math.floor(ids.length * 0.95);
  await writeFile(path.join(out, 'train.bin'), Uint16Array.from(ids.slice(0, cut)));
  await writeFile(path.join(out, 'val.bin'), Uint16Array.from(ids.slice(cut)));
  const meta = { model: { vocab_size: bpe.vocab.size, ...MODEL_SHAPE }, documents, seed, tokens: ids.length, eos };
  await writeFile(path.join(out, 'meta.json'), JSON.stringify(meta, null, 2));
  console.log(`${documents} documents, ${ids.length} tokens, vocabulary ${bpe.vocab.size}, in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${out}`);
}

await main();
