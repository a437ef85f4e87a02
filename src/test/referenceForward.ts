/**
 * An independent oracle for the engine: the test models' architectures as a plain float64
 * forward pass over one unpadded sequence, no onnxruntime, no graph. It reads the same weights the
 * model builders were given (regenerated from their seeds, dequantised for 4-bit files) and gives
 * the logits of every next token. Written from the architectures' definitions
 * (Hugging Face's LlamaForCausalLM, Qwen2/Qwen3 and GPT2LMHeadModel), not from tools/modelgen.
 */
import type { Gpt2Config, Gpt2Weights } from '../../tools/modelgen/gpt2.ts';
import type { LlamaConfig, LlamaWeights } from '../../tools/modelgen/llama.ts';
import { dequantizeQ4, quantizeQ4 } from '../../tools/modelgen/quantize.ts';

type Vec = Float64Array;

/** y = x @ W + b for W stored [K, N] row-major (MatMul's layout). */
function matvec(x: Vec, w: ArrayLike<number>, K: number, N: number, bias?: ArrayLike<number>): Vec {
  const y = new Float64Array(N);
  for (let k = 0; k < K; k++) {
    const xk = x[k];
    if (xk === 0) continue;
    const row = k * N;
    for (let n = 0; n < N; n++) y[n] += xk * w[row + n];
  }
  if (bias) for (let n = 0; n < N; n++) y[n] += bias[n];
  return y;
}

function rmsNorm(x: Vec, w: ArrayLike<number>, eps: number): Vec {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return Float64Array.from(x, (v, i) => v * r * w[i]);
}

function layerNorm(x: Vec, w: ArrayLike<number>, b: ArrayLike<number>, eps: number): Vec {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let varSum = 0;
  for (const v of x) varSum += (v - mean) ** 2;
  const r = 1 / Math.sqrt(varSum / x.length + eps);
  return Float64Array.from(x, (v, i) => (v - mean) * r * w[i] + b[i]);
}

/** erf: its Taylor series below 3 (float64 keeps it exact to about 1e-12 there), Abramowitz & Stegun 7.1.26 above. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 3) {
    const t = 1 / (1 + 0.3275911 * a);
    return Math.sign(x) * (1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a));
  }
  let sum = 0;
  let term = a;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-a * a) / (n + 1);
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
}

export function logSoftmax(logits: Vec | Float32Array): Vec {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - lse);
}

/** Causal attention of one query position over keys 0..t (all heads), grouped-query. */
function attend(q: Vec[], keys: Vec[][], values: Vec[][], t: number, H: number, KVH: number, hd: number): Vec {
  const out = new Float64Array(H * hd);
  const group = H / KVH;
  for (let h = 0; h < H; h++) {
    const kv = Math.floor(h / group);
    const scores = new Float64Array(t + 1);
    let max = -Infinity;
    for (let j = 0; j <= t; j++) {
      let s = 0;
      for (let d = 0; d < hd; d++) s += q[h][d] * keys[j][kv][d];
      scores[j] = s / Math.sqrt(hd);
      max = Math.max(max, scores[j]);
    }
    let z = 0;
    for (let j = 0; j <= t; j++) z += (scores[j] = Math.exp(scores[j] - max));
    for (let j = 0; j <= t; j++) for (let d = 0; d < hd; d++) out[h * hd + d] += (scores[j] / z) * values[j][kv][d];
  }
  return out;
}

/** Inverse frequencies of rotary positions, with transformers' "llama3" rescaling where configured. */
function inverseFrequencies(cfg: LlamaConfig): number[] {
  const half = cfg.headDim / 2;
  return Array.from({ length: half }, (_, i) => {
    const f = cfg.ropeTheta ** (-(2 * i) / cfg.headDim);
    const sc = cfg.ropeScaling;
    if (!sc) return f;
    const wavelen = (2 * Math.PI) / f;
    const low = sc.originalMaxPositions / sc.lowFreqFactor;
    const high = sc.originalMaxPositions / sc.highFreqFactor;
    if (wavelen < high) return f;
    if (wavelen > low) return f / sc.factor;
    const smooth = (sc.originalMaxPositions / wavelen - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
    return (1 - smooth) * (f / sc.factor) + smooth * f;
  });
}

/** rotate_half convention: pairs (i, i + hd/2). */
function rotate(x: Vec, pos: number, invFreq: number[]): Vec {
  const half = x.length / 2;
  const out = new Float64Array(x.length);
  for (let i = 0; i < half; i++) {
    const a = pos * invFreq[i];
    const c = Math.cos(a);
    const s = Math.sin(a);
    out[i] = x[i] * c - x[i + half] * s;
    out[i + half] = x[i + half] * c + x[i] * s;
  }
  return out;
}

const heads = (v: Vec, n: number, hd: number): Vec[] => Array.from({ length: n }, (_, h) => v.subarray(h * hd, (h + 1) * hd));

/** The weights a 4-bit file computes with: each MatMul weight through the MatMulNBits round trip. */
export function asQ4(w: Float32Array, K: number, N: number): Float32Array {
  return K % 32 === 0 ? dequantizeQ4(quantizeQ4(w, K, N, 32)) : w;
}

export interface LlamaReferenceOptions {
  /** Dequantise the linear layers as the q4 files store them (the embedding stays float). */
  q4?: boolean;
}

/** The raw logits of the next token after every position t: [ids.length][vocab] (logSoftmax gives log-probabilities). */
export function llamaReference(cfg: LlamaConfig, w: LlamaWeights, ids: readonly number[], opts: LlamaReferenceOptions = {}): Vec[] {
  const { hiddenSize: D, numHeads: H, numKvHeads: KVH, headDim: hd, intermediateSize: F, vocabSize: V } = cfg;
  const lin = (x: Vec, m: Float32Array, K: number, N: number, b?: Float32Array) => matvec(x, opts.q4 ? asQ4(m, K, N) : m, K, N, b);
  const invFreq = inverseFrequencies(cfg);
  const keys: Vec[][][] = w.layers.map(() => []);
  const values: Vec[][][] = w.layers.map(() => []);
  const out: Vec[] = [];
  ids.forEach((id, t) => {
    let x = Float64Array.from(w.embed.subarray(id * D, (id + 1) * D));
    w.layers.forEach((lw, l) => {
      const h = rmsNorm(x, lw.inputNorm, cfg.rmsNormEps);
      const norm = (v: Vec[], weight?: Float32Array) => (weight ? v.map((head) => rmsNorm(head, weight, cfg.rmsNormEps)) : v);
      const q = norm(heads(lin(h, lw.q, D, H * hd, lw.qBias), H, hd), lw.qNorm).map((head) => rotate(head, t, invFreq));
      keys[l].push(norm(heads(lin(h, lw.k, D, KVH * hd, lw.kBias), KVH, hd), lw.kNorm).map((head) => rotate(head, t, invFreq)));
      values[l].push(heads(lin(h, lw.v, D, KVH * hd, lw.vBias), KVH, hd));
      const att = attend(q, keys[l], values[l], t, H, KVH, hd);
      const o = lin(att, lw.o, H * hd, D);
      x = Float64Array.from(x, (v, i) => v + o[i]);
      const h2 = rmsNorm(x, lw.postNorm, cfg.rmsNormEps);
      const gate = lin(h2, lw.gate, D, F);
      const up = lin(h2, lw.up, D, F);
      const act = Float64Array.from(gate, (g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const down = lin(act, lw.down, F, D);
      x = Float64Array.from(x, (v, i) => v + down[i]);
    });
    out.push(lin(rmsNorm(x, w.finalNorm, cfg.rmsNormEps), w.lmHead, D, V));
  });
  return out;
}

export function gpt2Reference(cfg: Gpt2Config, w: Gpt2Weights, ids: readonly number[], opts: LlamaReferenceOptions = {}): Vec[] {
  const D = cfg.nEmbd;
  const H = cfg.nHead;
  const hd = D / H;
  const V = cfg.vocabSize;
  const lin = (x: Vec, m: Float32Array, K: number, N: number, b?: Float32Array) => matvec(x, opts.q4 ? asQ4(m, K, N) : m, K, N, b);
  const keys: Vec[][][] = w.layers.map(() => []);
  const values: Vec[][][] = w.layers.map(() => []);
  const out: Vec[] = [];
  ids.forEach((id, t) => {
    let x = Float64Array.from({ length: D }, (_, i) => w.wte[id * D + i] + w.wpe[t * D + i]);
    w.layers.forEach((lw, l) => {
      const h = layerNorm(x, lw.ln1.w, lw.ln1.b, cfg.layerNormEps);
      const qkv = lin(h, lw.qkv.w, D, 3 * D, lw.qkv.b);
      const q = heads(qkv.subarray(0, D), H, hd);
      keys[l].push(heads(qkv.slice(D, 2 * D), H, hd));
      values[l].push(heads(qkv.slice(2 * D, 3 * D), H, hd));
      const o = lin(attend(q, keys[l], values[l], t, H, H, hd), lw.proj.w, D, D, lw.proj.b);
      x = Float64Array.from(x, (v, i) => v + o[i]);
      const h2 = layerNorm(x, lw.ln2.w, lw.ln2.b, cfg.layerNormEps);
      const fc = lin(h2, lw.fc.w, D, 4 * D, lw.fc.b);
      const gelu = Float64Array.from(fc, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
      const down = lin(gelu, lw.fcProj.w, 4 * D, D, lw.fcProj.b);
      x = Float64Array.from(x, (v, i) => v + down[i]);
    });
    // The head is tied to the token embedding: logits[v] = x . wte[v].
    const hf = layerNorm(x, w.lnF.w, w.lnF.b, cfg.layerNormEps);
    const logits = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += hf[i] * w.wte[v * D + i];
      logits[v] = s;
    }
    out.push(logits);
  });
  return out;
}
