/**
 * Checks an exported model against PyTorch: the ONNX graph (fp32, through the engine's own
 * decoder) must give the logits train.py recorded for a fixed input (probe.json).
 *
 *   npx tsx tools/train/probe.ts --data .cache/train --model public/models/<name>
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { leftPad } from '../../src/engine/batching.ts';
import { loadNodeModel } from '../../src/engine/node/nodeModel.ts';

export async function probeMaxDiff(dataDir: string, modelDir: string): Promise<{ first: number; last: number }> {
  const probe = JSON.parse(await readFile(path.join(dataDir, 'probe.json'), 'utf8')) as { ids: number[]; logits_first: number[]; logits_last: number[] };
  const m = await loadNodeModel(modelDir, { dtype: 'fp32' });
  const p = leftPad([probe.ids], 0);
  const out = await m.engine.decoder.forward({ batch: 1, ids: p.ids, seq: p.length, mask: p.mask, positions: p.positions, past: null, keep: p.length });
  const V = probe.logits_last.length;
  const diff = (row: number, ref: number[]) => Math.max(...ref.map((v, i) => Math.abs(v - out.logits[row * V + i])));
  const res = { first: diff(0, probe.logits_first), last: diff(out.n - 1, probe.logits_last) };
  await m.dispose();
  return res;
}

if (process.argv[1]?.endsWith('probe.ts')) {
  const arg = (n: string) => process.argv[process.argv.indexOf(n) + 1];
  const r = await probeMaxDiff(path.resolve(arg('--data')), path.resolve(arg('--model')));
  console.log(`max |logit difference| PyTorch vs ONNX fp32: first position ${r.first.toExponential(2)}, last position ${r.last.toExponential(2)}`);
  if (Math.max(r.first, r.last) > 1e-3) process.exit(1);
}
