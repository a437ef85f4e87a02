/**
 * A local stand-in for a model hub: serves model folders in the hub's URL layout
 * (/{org}/{name}/resolve/main/{file}) with CORS, counts requests, and can inject faults
 * (a body cut off halfway, a slow body) so tests can check what the app caches and reports.
 * Bound to 127.0.0.1 only.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface HubServer {
  url: string;
  /** URL template for the app's hub setting. */
  template: string;
  /** GET requests per path (downloads); HEAD requests (size checks) are counted in `heads`. */
  hits: Map<string, number>;
  heads: Map<string, number>;
  /** The next response for a path ending in `suffix` sends half its body and drops the connection. */
  truncateNext(suffix: string): void;
  /** Responses for paths ending in `suffix` trickle out over about `ms` milliseconds. */
  slow(suffix: string, ms: number): void;
  close(): Promise<void>;
}

export async function startHubServer(models: Record<string, string>): Promise<HubServer> {
  const hits = new Map<string, number>();
  const heads = new Map<string, number>();
  const truncate = new Set<string>();
  const slow = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    const url = new URL(req.url ?? '/', 'http://x');
    const m = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/);
    const counter = req.method === 'HEAD' ? heads : hits;
    counter.set(url.pathname, (counter.get(url.pathname) ?? 0) + 1);
    const dir = m ? models[decodeURIComponent(m[1])] : undefined;
    if (!m || !dir) {
      res.writeHead(404).end('not found');
      return;
    }
    if (req.method === 'HEAD') {
      // The size alone, from the file system: a size check never reads the file.
      try {
        const st = await stat(path.join(dir, decodeURIComponent(m[2])));
        res.writeHead(200, { 'Content-Length': st.size, 'Content-Type': 'application/octet-stream' }).end();
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(path.join(dir, decodeURIComponent(m[2])));
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' });
    const cut = [...truncate].find((s) => url.pathname.endsWith(s));
    if (cut) {
      truncate.delete(cut);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.destroy(), 50));
      return;
    }
    const delay = [...slow.entries()].find(([s]) => url.pathname.endsWith(s))?.[1];
    if (delay) {
      const pieces = 20;
      const size = Math.ceil(body.length / pieces);
      for (let i = 0; i < pieces && !res.destroyed; i++) {
        res.write(body.subarray(i * size, (i + 1) * size));
        await new Promise((r) => setTimeout(r, delay / pieces));
      }
      res.end();
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    template: `${url}/{id}/resolve/main/{file}`,
    hits,
    heads,
    truncateNext: (s) => truncate.add(s),
    slow: (s, ms) => slow.set(s, ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
