/**
 * The engine in Node (command line, tests, benchmarks): models from a folder on disk, the app's
 * shipped models, or a hub id (downloaded once into a disk cache), on onnxruntime-web's Node build
 * (WASM) unless another runtime is passed in.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortWeb from 'onnxruntime-web';
import type { BackendChoice } from '../backend.ts';
import type { EngineLimits, PrefixReuse } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { hubUrl } from '../download.ts';
import { httpStore, type FileStore } from '../fileStore.ts';
import { loadModel, loadTokenizer, type LoadedModel } from '../loadModel.ts';
import type { TextTokenizer } from '../tokenizer.ts';
import { DEFAULT_HUB_URL, type Dtype, type FileProgress, type LoadProgress } from '../modelSource.ts';
import type { Ort } from '../ortTypes.ts';
import { defaultCacheDir, diskCache } from './diskCache.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHIPPED_MODELS_DIR = path.join(PROJECT_ROOT, 'public', 'models');

export function folderStore(dir: string): FileStore {
  return {
    async sizeOf(file) {
      try {
        return (await stat(path.join(dir, file))).size;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : null;
      }
    },
    async fetch(requests, control) {
      const out = new Map<string, Uint8Array>();
      const files: FileProgress[] = [];
      for (const r of requests) {
        if (control.signal?.aborted) throw new EngineError('ABORTED', 'Cancelled.');
        const full = path.join(dir, r.file);
        try {
          const bytes = new Uint8Array(await readFile(full));
          out.set(r.file, bytes);
          files.push({ file: r.file, loaded: bytes.length, total: bytes.length, fromCache: false, done: true });
          control.onProgress?.({ loaded: files.reduce((s, f) => s + f.loaded, 0), total: files.reduce((s, f) => s + (f.total ?? 0), 0), files: [...files] });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
            if (r.optional) continue;
            throw new EngineError('BAD_MODEL', `${r.file} is missing from ${dir}.`, { file: r.file });
          }
          throw new EngineError('BAD_MODEL', `${r.file} could not be read: ${(err as Error).message}`, { file: r.file, cause: err });
        }
      }
      return out;
    },
  };
}

/** A shipped model's name, or a path to a model folder; null when it is neither. */
async function findModelFolder(nameOrPath: string): Promise<string | null> {
  const shipped = path.join(SHIPPED_MODELS_DIR, nameOrPath);
  for (const candidate of [shipped, path.resolve(nameOrPath)]) {
    try {
      if ((await stat(path.join(candidate, 'config.json'))).isFile()) return candidate;
    } catch {
      /* try the next */
    }
  }
  return null;
}

/** A shipped model's name, or a path to a model folder. */
export async function resolveModelFolder(nameOrPath: string): Promise<string> {
  const dir = await findModelFolder(nameOrPath);
  if (dir) return dir;
  throw new EngineError('BAD_MODEL', `No model folder "${nameOrPath}": neither a shipped model (public/models/) nor a folder with config.json.`);
}

/** 'owner/name', as on the Hugging Face hub; '.' and '..' are path segments, never names. */
export function isHubId(s: string): boolean {
  return /^[\w.-]+\/[\w.-]+$/.test(s) && !s.split('/').some((part) => part === '.' || part === '..');
}

export interface NodeLoadOptions {
  dtype?: Dtype | 'auto';
  threads?: number;
  limits?: Partial<EngineLimits>;
  /** Defaults to onnxruntime-web's Node build (WASM); the benchmark passes onnxruntime-node. */
  ort?: Ort;
  /** 'cpu' with onnxruntime-node: the native reference. */
  provider?: 'wasm' | 'cpu';
  /** Hub URL template with {id} and {file}; defaults to $IPROMPT_HUB_URL, else Hugging Face. */
  hubUrl?: string;
  /** Where hub downloads are cached; null: no caching. Defaults to $IPROMPT_CACHE_DIR, else ~/.cache/iprompt-web/models. */
  cacheDir?: string | null;
  /** Bytes fetched so far, per file (downloads, cache hits and folder reads alike). */
  onProgress?: (p: LoadProgress) => void;
  /** Cancels the load (an EngineError with code ABORTED). */
  signal?: AbortSignal;
  /** false: leave a graph without num_logits_to_keep as it is (logits at every position; for comparisons). */
  restrictLogits?: boolean;
  /** How scoring reuses shared prefixes ('auto' by default; 'off' for comparisons). */
  prefixReuse?: PrefixReuse | 'auto';
  /** false: keep 4-bit weights as MatMulNBits on WASM (default: expanded to float32 at load; comparisons, oracle twins). */
  expandWeights?: boolean;
}

/** Where a model's files come from: a shipped model, a folder with config.json, or a hub id. */
async function nodeStore(nameOrPath: string, opts: NodeLoadOptions): Promise<{ store: FileStore; name: string }> {
  const dir = await findModelFolder(nameOrPath);
  if (dir) return { store: folderStore(dir), name: path.basename(dir) };
  if (isHubId(nameOrPath)) {
    const template = opts.hubUrl ?? (process.env.IPROMPT_HUB_URL || DEFAULT_HUB_URL);
    const cache = opts.cacheDir === null ? null : diskCache(opts.cacheDir ?? defaultCacheDir());
    return { store: httpStore((file) => hubUrl(template, nameOrPath, file), cache), name: nameOrPath };
  }
  throw new EngineError(
    'BAD_MODEL',
    `No model "${nameOrPath}": neither a shipped model (public/models/), a folder with config.json, nor a hub id (owner/name).`,
  );
}

export async function loadNodeModel(nameOrPath: string, opts: NodeLoadOptions = {}): Promise<LoadedModel> {
  const { store, name } = await nodeStore(nameOrPath, opts);
  const ort = opts.ort ?? (ortWeb as unknown as Ort);
  const threads = opts.threads ?? 1;
  const backend: BackendChoice = { backend: 'wasm', adapter: null, shaderF16: false, threads, crossOriginIsolated: true, reason: null };
  // onnxruntime-node takes its thread count as a session option; onnxruntime-web from env.wasm.
  const sessionOptions = opts.provider === 'cpu' ? { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 } : undefined;
  const control = { signal: opts.signal, onProgress: opts.onProgress };
  return loadModel(ort, { store, name, backend, dtype: opts.dtype, limits: opts.limits, sessionOptions, control, restrictLogits: opts.restrictLogits, prefixReuse: opts.prefixReuse, expandWeights: opts.expandWeights });
}

/**
 * A model's tokenizer alone, from the same places as a model (a shipped model, a folder, a hub
 * id through the download cache): a remote server runs the model, the search tokenizes here.
 */
export async function loadNodeTokenizer(nameOrPath: string, opts: Pick<NodeLoadOptions, 'hubUrl' | 'cacheDir' | 'signal'> = {}): Promise<{ tokenizer: TextTokenizer; source: string }> {
  const { store, name } = await nodeStore(nameOrPath, opts);
  return { tokenizer: await loadTokenizer(store, { signal: opts.signal }), source: `the tokenizer of ${name}` };
}
