/**
 * Turns trained weights (weights.bin + weights.json from train.py) into a model folder in the
 * Hugging Face ONNX layout, fp32 and 4-bit (MatMulNBits), through the same graph builder as the
 * test models, so there is one definition of the architecture.
 *
 *   npx tsx tools/train/export.ts --data .cache/train --out public/models/<name>
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeModelFolder } from '../modelgen/layout.ts';
import { buildLlamaOnnx, llamaConfigJson, type LlamaConfig, type LlamaWeights } from '../modelgen/llama.ts';
import { transpose } from '../modelgen/randomWeights.ts';

interface WeightsManifest {
  config: { vocab_size: number; hidden_size: number; intermediate_size: number; num_layers: number; num_heads: number; num_kv_heads: number; head_dim: number; max_positions: number; rope_theta: number; rms_norm_eps: number };
  tensors: { name: string; shape: number[]; offset: number }[];
  [k: string]: unknown;
}

export async function readTrainedWeights(dir: string): Promise<{ manifest: WeightsManifest; cfg: Omit<LlamaConfig, 'bosTokenId' | 'eosTokenId'>; weights: LlamaWeights }> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'weights.json'), 'utf8')) as WeightsManifest;
  const buf = await readFile(path.join(dir, 'weights.bin'));
  const tensor = (name: string): { data: Float32Array; shape: number[] } => {
    const t = manifest.tensors.find((x) => x.name === name);
    if (!t) throw new Error(`weights.json has no tensor ${name}`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    data.set(new Float32Array(buf.buffer.slice(buf.byteOffset + t.offset, buf.byteOffset + t.offset + n * 4)));
    return { data, shape: t.shape };
  };
  // PyTorch's Linear stores [out, in]; ONNX MatMul wants [in, out].
  const linear = (name: string) => {
    const { data, shape } = tensor(name);
    return transpose(data, shape[0], shape[1]);
  };
  const c = manifest.config;
  const embed = tensor('embed_tokens.weight').data;
  const weights: LlamaWeights = {
    embed,
    layers: Array.from({ length: c.num_layers }, (_, i) => ({
      inputNorm: tensor(`layers.${i}.input_layernorm.weight`).data,
      q: linear(`layers.${i}.q_proj.weight`),
      k: linear(`layers.${i}.k_proj.weight`),
      v: linear(`layers.${i}.v_proj.weight`),
      o: linear(`layers.${i}.o_proj.weight`),
      postNorm: tensor(`layers.${i}.post_attention_layernorm.weight`).data,
      gate: linear(`layers.${i}.gate_proj.weight`),
      up: linear(`layers.${i}.up_proj.weight`),
      down: linear(`layers.${i}.down_proj.weight`),
    })),
    finalNorm: tensor('norm.weight').data,
    lmHead: transpose(embed, c.vocab_size, c.hidden_size),
  };
  const cfg = {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_layers,
    numHeads: c.num_heads,
    numKvHeads: c.num_kv_heads,
    headDim: c.head_dim,
    maxPositions: c.max_positions,
    ropeTheta: c.rope_theta,
    rmsNormEps: c.rms_norm_eps,
    tieWordEmbeddings: true,
  };
  return { manifest, cfg, weights };
}

export async function exportTrainedModel(dataDir: string, outDir: string, readme: string): Promise<void> {
  const { cfg: base, weights } = await readTrainedWeights(dataDir);
  const tokenizerJson = JSON.parse(await readFile(path.join(dataDir, 'tokenizer.json'), 'utf8'));
  const tokenizerConfig = JSON.parse(await readFile(path.join(dataDir, 'tokenizer_config.json'), 'utf8'));
  const eos = (tokenizerJson.added_tokens as { id: number; content: string }[]).find((t) => t.content === '<|endoftext|>')?.id ?? 0;
  const cfg: LlamaConfig = { ...base, bosTokenId: eos, eosTokenId: eos };
  await writeModelFolder(outDir, {
    config: llamaConfigJson(cfg),
    generationConfig: { bos_token_id: eos, eos_token_id: eos, pad_token_id: eos },
    tokenizerJson,
    tokenizerConfig,
    graphs: { 'model.onnx': buildLlamaOnnx(cfg, weights, 'fp32'), 'model_q4.onnx': buildLlamaOnnx(cfg, weights, 'q4') },
    readme,
  });
}

if (process.argv[1]?.endsWith('export.ts')) {
  const arg = (n: string) => process.argv[process.argv.indexOf(n) + 1];
  const data = path.resolve(arg('--data'));
  const out = path.resolve(arg('--out'));
  const manifest = JSON.parse(await readFile(path.join(data, 'weights.json'), 'utf8'));
  const readme = `# ${path.basename(out)}\n\nTrained by tools/train (see tools/README.md; reproduce with \`train.py --seed ${manifest.seed} --steps ${manifest.steps}\`): ${manifest.params} parameters, ${manifest.steps} steps in ${Math.round(manifest.train_seconds / 60)} min on ${manifest.threads} threads, seed ${manifest.seed}, final train loss ${manifest.train_loss.toFixed(3)}, validation loss ${manifest.val_loss.toFixed(3)}.\n`;
  await exportTrainedModel(data, out, readme);
  console.log(`exported ${out}`);
}
