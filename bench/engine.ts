/**
 * npm run bench:engine [-- --json] [--model NAME | smollm2-135m | qwen25-0.5b] [--dtype q4|fp32]
 *
 * `--model smollm2-135m` or `qwen25-0.5b` runs a hub-shaped model (tools/hubShaped.ts: that
 * model's shape and export style, random weights), built into .cache/hub-shaped on first use.
 *
 * Scoring throughput (real tokens per second) and peak memory of the engine, in one run on one
 * model (by default the largest shipped one), on:
 *   - WASM in headless Chromium (a real worker, the production build) with 1 and 2 threads,
 *   - the engine in Node (onnxruntime-web's Node build) with 1 and 2 threads,
 *   - onnxruntime-node natively (the CPU reference) with 2 threads, through the same engine code.
 * Prints a table, or with --json one JSON object whose browserToNativeRatio is browser WASM at 2
 * threads over native at 2 threads, native running the export as it is (no logits edit). Each
 * configuration runs in its own process so peak memory (VmHWM) is its own. For an export without
 * num_logits_to_keep the 2-thread rows run twice, with the engine's logits edit (logitsRows.ts) on
 * and off, so its speed-up is a ratio measured side by side.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { findChromium } from '../scripts/ensure-chromium.mjs';
import { PROJECT_ROOT, SHIPPED_MODELS_DIR, loadNodeModel } from '../src/engine/node/nodeModel.ts';
import type { Ort } from '../src/engine/ortTypes.ts';
import { MIN_ITERS, MIN_MS, scoringPairs } from './workload.ts';
import { addLogitsRows } from '../src/engine/logitsRows.ts';
import { ensureHubShaped, HUB_SHAPES, type HubShape } from '../tools/hubShaped.ts';

interface Row {
  config: string;
  runtime: string;
  threads: number;
  /** Whether the engine's logits edit was on (exports without num_logits_to_keep). */
  logitsRows: boolean;
  tokensPerSecond: number;
  iterations: number;
  peakRssMB: number;
}

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

function largestShippedModel(): string {
  const names = readdirSync(SHIPPED_MODELS_DIR).filter((n) => existsSync(path.join(SHIPPED_MODELS_DIR, n, 'config.json')));
  if (!names.length) throw new Error(`no shipped model under ${SHIPPED_MODELS_DIR}`);
  return names.sort((a, b) => dirBytes(path.join(SHIPPED_MODELS_DIR, b)) - dirBytes(path.join(SHIPPED_MODELS_DIR, a)))[0];
}

function vmHwmMB(pid: number | 'self'): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Child mode: run the workload in this process and print one JSON line. */
async function child(runtime: 'node' | 'native', threads: number, model: string, dtype: 'q4' | 'fp32', restrictLogits: boolean) {
  const ort = runtime === 'native' ? ((await import('onnxruntime-node')) as unknown as Ort) : undefined;
  const m = await loadNodeModel(model, { dtype, threads, ort, provider: runtime === 'native' ? 'cpu' : 'wasm', restrictLogits });
  const pairs = scoringPairs(m.tokenizer);
  const tokensPer = pairs.reduce((s, p) => s + p.context.length + p.continuation.length - 1, 0);
  let iters = 0;
  const t0 = performance.now();
  while (iters < MIN_ITERS || performance.now() - t0 < MIN_MS) {
    await m.engine.score(pairs);
    iters++;
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ tokensPerSecond: (tokensPer * iters * 1000) / ms, iterations: iters, peakRssMB: vmHwmMB('self'), logitsRows: m.info.logits.restricted === 'added' }));
  process.exit(0);
}

function runChild(runtime: 'node' | 'native', threads: number, model: string, dtype: string, restrictLogits = true): Row {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'engine.ts'), '--child', runtime, '--threads', String(threads), '--model', model, '--dtype', dtype, ...(restrictLogits ? [] : ['--no-logits-rows'])], { encoding: 'utf8', cwd: PROJECT_ROOT });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${runtime} benchmark failed:\n${r.stderr}`);
  const res = JSON.parse(line);
  return { config: `${runtime === 'native' ? 'onnxruntime-node (native)' : 'engine in Node (onnxruntime-web)'}, ${threads} thread${threads > 1 ? 's' : ''}${res.logitsRows || restrictLogits ? '' : ', logits edit off'}`, runtime, threads, ...res };
}

function descendants(pid: number): number[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const parent = new Map<number, number>();
  for (const d of all) {
    try {
      const ppid = Number(readFileSync(`/proc/${d}/status`, 'utf8').match(/PPid:\s+(\d+)/)?.[1]);
      parent.set(Number(d), ppid);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) if (pp === p) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** The production build the browser rows load, made if there is none. */
function ensureBuild(): void {
  if (existsSync(path.join(PROJECT_ROOT, 'dist', 'harness.html'))) return;
  const b = spawnSync('npx', ['vite', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('vite build failed');
}

async function browserRows(model: string, dtype: string, compareLogits: boolean): Promise<Row[]> {
  const exe = findChromium();
  if (!exe) throw new Error('No Chromium found: run `node scripts/ensure-chromium.mjs` first');
  ensureBuild();
  const port = 4300 + Math.floor(Math.random() * 500);
  const preview = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1', '--bypass-lock'], { cwd: PROJECT_ROOT, stdio: 'ignore', detached: true });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/harness.html`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const rows: Row[] = [];
    const configs: ['jspi' | 'asyncify', number, boolean][] = [['jspi', 1, true], ['jspi', 2, true], ...(compareLogits ? [['jspi', 2, false] as ['jspi', number, boolean]] : []), ['asyncify', 2, true]];
    for (const [build, threads, restrictLogits] of configs) {
      const server = await chromium.launchServer({ executablePath: exe, headless: true, args: ['--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'] });
      const browser = await chromium.connect(server.wsEndpoint());
      try {
        const page = await browser.newPage();
        await page.goto(`${base}/harness.html`);
        await page.waitForFunction(() => 'harness' in window);
        const res = await page.evaluate(
          async ([model, dtype, threads, minMs, minIters, build, restrictLogits]) => {
            const h = window.harness;
            const loaded = await h.call('b', 'load', { source: { kind: 'shipped', name: model }, backend: 'wasm', dtype: dtype as 'q4', threads, runtime: build, restrictLogits });
            if (!loaded.ok) throw new Error(loaded.error.message);
            const texts: string[] = [];
            const prompts = ['Add the two numbers.', 'Return the sum of the inputs.', 'Multiply them together.', 'Output the larger number.'];
            for (let i = 0; i < 32; i++) {
              const a = (i * 7) % 10;
              const b = (i * 3 + 1) % 10;
              texts.push(`${prompts[i % prompts.length]} Given the input numbers ${a} and ${b}, the answer is`, ` ${a + b}.`);
            }
            const tok = await h.call('b', 'tokenize', { texts });
            if (!tok.ok) throw new Error(tok.error.message);
            const pairs = [];
            for (let i = 0; i < tok.value.length; i += 2) pairs.push({ context: tok.value[i], continuation: tok.value[i + 1] });
            const t = await h.timeScore('b', pairs, minMs, minIters);
            return { ...t, threads: loaded.value.backend.threads, build: loaded.value.runtime, logitsRows: loaded.value.logits.restricted === 'added' };
          },
          [model, dtype, threads, MIN_MS, MIN_ITERS, build, restrictLogits] as const,
        );
        const pid = server.process().pid!;
        const peak = Math.max(...descendants(pid).map((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=renderer') ? vmHwmMB(p) : 0;
          } catch {
            return 0;
          }
        }));
        rows.push({ config: `WASM in headless Chromium (${res.build} build), ${res.threads} thread${res.threads > 1 ? 's' : ''}${restrictLogits ? '' : ', logits edit off'}`, runtime: res.build === 'jspi' ? 'browser' : 'browser-asyncify', threads: res.threads, logitsRows: res.logitsRows, tokensPerSecond: (res.tokens * 1000) / res.ms, iterations: res.iters, peakRssMB: peak });
      } finally {
        await browser.close();
        await server.close();
      }
    }
    return rows;
  } finally {
    try {
      process.kill(-preview.pid!);
    } catch {
      /* already gone */
    }
  }
}

async function main() {
  if (flag('--child')) return child(flag('--child') as 'node' | 'native', Number(flag('--threads') ?? 1), flag('--model')!, flag('--dtype') as 'q4', !args.includes('--no-logits-rows'));
  const json = args.includes('--json');
  const log = (s: string) => (json ? process.stderr.write(s + '\n') : console.log(s));
  const model = flag('--model') ?? largestShippedModel();
  let dir = path.join(SHIPPED_MODELS_DIR, model);
  if (model in HUB_SHAPES) {
    // Served to the browser as if shipped: a link under dist/models (the build is made first).
    dir = await ensureHubShaped(model as HubShape, log);
    ensureBuild();
    const served = path.join(PROJECT_ROOT, 'dist', 'models', model);
    rmSync(served, { recursive: true, force: true });
    symlinkSync(dir, served);
  }
  const dtype = (flag('--dtype') as 'q4' | 'fp32' | undefined) ?? (existsSync(path.join(dir, 'onnx', 'model_q4.onnx')) ? 'q4' : 'fp32');
  // An export without num_logits_to_keep: the engine's logits edit applies, and is measured on and off.
  const compareLogits = 'model' in addLogitsRows(readFileSync(path.join(dir, 'onnx', dtype === 'q4' ? 'model_q4.onnx' : 'model.onnx')));
  const target = model in HUB_SHAPES ? dir : model;
  log(`bench:engine on ${model} (${dtype}), scoring 32 iPrompt-shaped pairs, >= ${MIN_MS / 1000} s per configuration`);
  const rows: Row[] = [];
  rows.push(...(await browserRows(model, dtype, compareLogits)));
  for (const t of [1, 2]) rows.push(runChild('node', t, target, dtype));
  if (compareLogits) rows.push(runChild('node', 2, target, dtype, false));
  // The native reference runs the export as it is.
  rows.push(runChild('native', 2, target, dtype, false));
  if (compareLogits) rows.push(runChild('native', 2, target, dtype, true));
  const browser2 = rows.find((r) => r.runtime === 'browser' && r.threads === 2 && (r.logitsRows || !compareLogits));
  const native2 = rows.find((r) => r.runtime === 'native' && r.threads === 2 && !r.logitsRows)!;
  const ratio = browser2 ? browser2.tokensPerSecond / native2.tokensPerSecond : null;
  const speedup = (runtime: string) => {
    const on = rows.find((r) => r.runtime === runtime && r.threads === 2 && r.logitsRows);
    const off = rows.find((r) => r.runtime === runtime && r.threads === 2 && !r.logitsRows);
    return compareLogits && on && off ? on.tokensPerSecond / off.tokensPerSecond : null;
  };
  const logitsSpeedup = { browser: speedup('browser'), node: speedup('node'), native: speedup('native') };
  if (json) {
    console.log(JSON.stringify({ model, dtype, workload: 'score, 32 pairs', rows, browserToNativeRatio: ratio, goal: 0.5, logitsSpeedup }));
    return;
  }
  const w = Math.max(...rows.map((r) => r.config.length));
  console.log(`${'configuration'.padEnd(w)}  tokens/s  vs native  peak MB`);
  for (const r of rows) console.log(`${r.config.padEnd(w)}  ${r.tokensPerSecond.toFixed(0).padStart(8)}  ${(r.tokensPerSecond / native2.tokensPerSecond).toFixed(2).padStart(9)}  ${r.peakRssMB.toFixed(0).padStart(7)}`);
  console.log(`browserToNativeRatio (browser WASM 2 threads, all on / native 2 threads, export as it is): ${ratio?.toFixed(2) ?? 'n/a'} (goal >= 0.5)`);
  if (compareLogits) console.log(`logits edit on / off at 2 threads: browser ${logitsSpeedup.browser?.toFixed(2)}, Node ${logitsSpeedup.node?.toFixed(2)}, native ${logitsSpeedup.native?.toFixed(2)}`);
}

await main();
