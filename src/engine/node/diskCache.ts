/**
 * A model cache on disk for Node (command line, benchmarks): the `CacheLike` that download.ts
 * fills, so a hub model is downloaded once per machine instead of once per run.
 *
 * Each URL is stored as two files named by the SHA-256 of the URL: `<hash>.bin` (the body) and
 * `<hash>.json` (the URL, the response headers, the body's size). Both are written to a temporary
 * file and renamed into place, the sidecar last: it is the commit marker, so a crash at any point
 * leaves either the previous complete entry, or no entry, never a cut-short body that looks whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ListableCache } from '../download.ts';

/** Bump when the on-disk layout changes, so old entries are never misread. */
const FORMAT = 1;
const TEMP_PREFIX = '.tmp-';

interface Sidecar {
  format: number;
  url: string;
  /** The body's size in bytes; a body file of another size is not trusted. */
  size: number;
  headers: [string, string][];
}

/** `$IPROMPT_CACHE_DIR`, else `~/.cache/iprompt-web/models`. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.IPROMPT_CACHE_DIR;
  return fromEnv ? path.resolve(fromEnv) : path.join(os.homedir(), '.cache', 'iprompt-web', 'models');
}

/** The file stem an URL is stored under: hex SHA-256, so any URL gives a safe, fixed-length name. */
export function cacheKey(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

export function diskCache(dir: string = defaultCacheDir()): ListableCache {
  const bodyPath = (url: string) => path.join(dir, `${cacheKey(url)}.bin`);
  const sidecarPath = (url: string) => path.join(dir, `${cacheKey(url)}.json`);

  async function readSidecar(file: string): Promise<Sidecar | null> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const s = JSON.parse(text) as Sidecar;
      if (s.format !== FORMAT || typeof s.url !== 'string' || !Number.isSafeInteger(s.size) || !Array.isArray(s.headers)) return null;
      return s;
    } catch {
      return null;
    }
  }

  async function remove(url: string): Promise<boolean> {
    let existed = false;
    // The sidecar first: without it the entry is gone even if removing the body fails.
    for (const file of [sidecarPath(url), bodyPath(url)]) {
      try {
        await rm(file);
        existed = true;
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    return existed;
  }

  return {
    async match(url) {
      const sidecar = await readSidecar(sidecarPath(url));
      // A different URL under the same name would take a SHA-256 collision; checked all the same.
      if (!sidecar || sidecar.url !== url) return undefined;
      let body: Buffer;
      try {
        body = await readFile(bodyPath(url));
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
      if (body.length !== sidecar.size) {
        // Damaged outside this module (a full disk, a hand edit): never hand it out.
        await remove(url).catch(() => false);
        return undefined;
      }
      // A view, not a copy (graphs run to gigabytes); a Buffer is backed by a plain ArrayBuffer.
      const bytes = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
      return new Response(bytes, { headers: sidecar.headers });
    },

    async put(url, res) {
      const bytes = new Uint8Array(await res.arrayBuffer());
      const headers: [string, string][] = [];
      res.headers.forEach((value, key) => headers.push([key, value]));
      const sidecar: Sidecar = { format: FORMAT, url, size: bytes.length, headers };
      await mkdir(dir, { recursive: true });
      // Uncommit the old entry before its body is replaced, so a crash between the two renames
      // cannot pair the old sidecar with the new body.
      await rm(sidecarPath(url), { force: true });
      await writeAtomic(bodyPath(url), bytes);
      await writeAtomic(sidecarPath(url), JSON.stringify(sidecar));
    },

    delete: remove,

    async keys() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if (isMissing(err)) return [];
        throw err;
      }
      const urls: string[] = [];
      for (const name of names) {
        if (!name.endsWith('.json') || name.startsWith(TEMP_PREFIX)) continue;
        const s = await readSidecar(path.join(dir, name));
        if (!s || `${cacheKey(s.url)}.json` !== name) continue;
        // Only entries whose body is there and whole.
        const size = await stat(path.join(dir, `${cacheKey(s.url)}.bin`)).then((st) => st.size, () => -1);
        if (size === s.size) urls.push(s.url);
      }
      return urls;
    },
  };

  async function writeAtomic(target: string, data: Uint8Array | string): Promise<void> {
    const temp = path.join(dir, `${TEMP_PREFIX}${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}`);
    try {
      // Synced before the rename, so after a power cut the new name never points at missing data.
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
