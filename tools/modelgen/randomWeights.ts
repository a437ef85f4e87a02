/**
 * Deterministic random weights for the test models: the same seed gives the same bytes on every
 * machine (mulberry32 + Box-Muller, no Math.random), so fixtures are reproducible without storing them.
 */
import type { LlamaConfig, LlamaLayerWeights, LlamaWeights } from './llama.ts';
import type { Gpt2Config, Gpt2Weights } from './gpt2.ts';
import { mulberry32 } from '../../src/util/random.ts';

export { mulberry32 };

class Init {
  private rand: () => number;
  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }
  normal(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = Math.max(this.rand(), 1e-12);
      const v = this.rand();
      out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    return out;
  }
  around(n: number, center: number, spread: number): Float32Array {
    const out = this.normal(n, spread);
    for (let i = 0; i < n; i++) out[i] += center;
    return out;
  }
}

export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

/**
 * Weights scaled so that logits are far from uniform (std of a logit around 2-3): a flat
 * distribution would let sampling and argmax tests pass by accident.
 */
export function randomLlamaWeights(cfg: LlamaConfig, seed: number, opts: { tiedLogitStd?: number } = {}): LlamaWeights {
  const r = new Init(seed);
  const { hiddenSize: D, numHeads: H, numKvHeads: KVH, headDim: hd, intermediateSize: F, vocabSize: V } = cfg;
  // Tied logits are the final hidden state (RMS about 1) times an embedding row: a unit-variance
  // embedding makes them about sqrt(D) wide, which at D = 576 puts all the mass on one token.
  // tiedLogitStd scales the same draws so the logits are that wide instead.
  const embed = r.normal(V * D, cfg.tieWordEmbeddings && opts.tiedLogitStd ? opts.tiedLogitStd / Math.sqrt(D) : 1);
  const layers = Array.from({ length: cfg.numLayers }, () => ({
    inputNorm: r.around(D, 1, 0.1),
    q: r.normal(D * H * hd, 1 / Math.sqrt(D)),
    k: r.normal(D * KVH * hd, 1 / Math.sqrt(D)),
    v: r.normal(D * KVH * hd, 1 / Math.sqrt(D)),
    o: r.normal(H * hd * D, 0.5 / Math.sqrt(H * hd)),
    postNorm: r.around(D, 1, 0.1),
    gate: r.normal(D * F, 1 / Math.sqrt(D)),
    up: r.normal(D * F, 1 / Math.sqrt(D)),
    down: r.normal(F * D, 0.5 / Math.sqrt(F)),
  }));
  const finalNorm = r.around(D, 1, 0.1);
  const lmHead = cfg.tieWordEmbeddings ? transpose(embed, V, D) : r.normal(D * V, 2.5 / Math.sqrt(D));
  // Drawn last, so models without these features keep the weights they always had.
  for (const l of layers as LlamaLayerWeights[]) {
    if (cfg.attentionBias) {
      l.qBias = r.normal(H * hd, 0.1);
      l.kBias = r.normal(KVH * hd, 0.1);
      l.vBias = r.normal(KVH * hd, 0.1);
    }
    if (cfg.qkNorm) {
      l.qNorm = r.around(hd, 1, 0.1);
      l.kNorm = r.around(hd, 1, 0.1);
    }
  }
  return { embed, layers, finalNorm, lmHead };
}

export function randomGpt2Weights(cfg: Gpt2Config, seed: number): Gpt2Weights {
  const r = new Init(seed);
  const D = cfg.nEmbd;
  const ln = () => ({ w: r.around(D, 1, 0.1), b: r.normal(D, 0.05) });
  return {
    wte: r.normal(cfg.vocabSize * D, 0.35),
    wpe: r.normal(cfg.nPositions * D, 0.3),
    layers: Array.from({ length: cfg.nLayer }, () => ({
      ln1: ln(),
      qkv: { w: r.normal(D * 3 * D, 1 / Math.sqrt(D)), b: r.normal(3 * D, 0.02) },
      proj: { w: r.normal(D * D, 0.5 / Math.sqrt(D)), b: r.normal(D, 0.02) },
      ln2: ln(),
      fc: { w: r.normal(D * 4 * D, 1 / Math.sqrt(D)), b: r.normal(4 * D, 0.02) },
      fcProj: { w: r.normal(4 * D * D, 0.5 / Math.sqrt(4 * D)), b: r.normal(D, 0.02) },
    })),
    lnF: { w: r.around(D, 1, 0.1), b: r.normal(D, 0.05) },
  };
}
