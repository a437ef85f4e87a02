/**
 * 4-bit weights as float32, for the WASM backend. onnxruntime-web's WASM build has no 4-bit
 * kernel: com.microsoft MatMulNBits falls back to dequantising its whole weight on every call and
 * then multiplying in float32 (bench:kernels: about 2.5 ms per call at one row for a 576 x 1536
 * weight, against 0.23 ms for the same multiply on float32 weights). So at load the engine does
 * that dequantisation once: each MatMulNBits whose weight it can read becomes a MatMul over a
 * float32 initializer holding exactly the values the fallback computes ((code - zero point) x
 * scale), followed by an Add where the node had a bias. The download stays 4-bit; the multiply
 * runs at float32 speed; the numbers differ from the fallback's only by summation order.
 *
 * The graph is edited as bytes, like logitsRows.ts: every other field is copied as it was.
 * Weights in external data are read from the files given; the float32 weights are written into
 * the graph itself, so the result is bounded (`maxBytes`) well below protobuf's 2 GB limit and the
 * WASM heap's 4 GB. Nodes the edit cannot read with certainty (float zero points, g_idx, weights
 * computed by other nodes, bit widths other than 4 and 8) are kept as they are, with the reason.
 */
import { ProtoReader, ProtoWriter, type FieldSpan } from '../util/protobuf.ts';
import { fieldText as str, fieldsOf, nameOf, readNode, type NodeInfo } from './onnxNodes.ts';

export interface NBitsExpansion {
  model: Uint8Array;
  /** MatMulNBits nodes now MatMul over float32 weights. */
  nodes: number;
  /** Bytes of the float32 weights written. */
  floatBytes: number;
  /** Nodes left as MatMulNBits, each with why. */
  kept: string[];
}

/** Why nothing was expanded (the graph is then loaded as it is). */
export interface NBitsSkip {
  skipped: string;
}

/** Default bound on the expanded graph: the float32 weights plus everything else it holds. */
export const EXPAND_MAX_BYTES = 1024 ** 3;

const MS_DOMAIN = 'com.microsoft';
const FLOAT = 1;
const UINT8 = 2;
const SUFFIX = '/iprompt_float32';
interface TensorInfo {
  span: FieldSpan;
  name: string;
  dataType: number;
  /** The tensor's bytes (little-endian, as raw_data stores them), or why they cannot be read. */
  data: Uint8Array | string;
}

/** TensorProto: dims (1), data_type (2), float_data (4), name (8), raw_data (9), external_data (13), data_location (14). */
function readTensor(buf: Uint8Array, span: FieldSpan, external: ReadonlyMap<string, Uint8Array>): TensorInfo {
  const t: TensorInfo = { span, name: '', dataType: 0, data: 'no data' };
  const floats: number[] = [];
  let floatSpan: FieldSpan | null = null;
  let isExternal = false;
  const ext: Record<string, string> = {};
  for (const f of fieldsOf(buf, span)) {
    if (f.field === 2 && f.wire === 0) t.dataType = f.value;
    else if (f.field === 8 && f.wire === 2) t.name = str(buf, f);
    else if (f.field === 9 && f.wire === 2) t.data = buf.subarray(f.start, f.end);
    else if (f.field === 4 && f.wire === 2) floatSpan = f;
    else if (f.field === 4 && f.wire === 5) floats.push(new DataView(buf.buffer, buf.byteOffset + f.start, 4).getFloat32(0, true));
    else if (f.field === 14 && f.wire === 0) isExternal = f.value === 1;
    else if (f.field === 13 && f.wire === 2) {
      const kv = fieldsOf(buf, f);
      const key = kv.find((x) => x.field === 1 && x.wire === 2);
      const value = kv.find((x) => x.field === 2 && x.wire === 2);
      if (key && value) ext[str(buf, key)] = str(buf, value);
    }
  }
  if (floatSpan) t.data = buf.slice(floatSpan.start, floatSpan.end);
  else if (floats.length) t.data = new Uint8Array(Float32Array.from(floats).buffer);
  if (isExternal) {
    const file = external.get(ext.location ?? '') ?? external.get((ext.location ?? '').split('/').pop()!);
    const offset = Number(ext.offset ?? 0);
    const length = ext.length === undefined ? null : Number(ext.length);
    if (!file) t.data = `its external data file ${ext.location ?? '(unnamed)'} was not given`;
    else if (length === null || offset + length > file.length) t.data = `its external data (${ext.location}) is shorter than the graph says`;
    else t.data = file.subarray(offset, offset + length);
  }
  return t;
}

const floatsOf = (bytes: Uint8Array) => {
  // Copy when unaligned: a Float32Array view needs a 4-byte aligned offset.
  const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** One planned replacement: the float32 weight and the nodes that stand for the MatMulNBits. */
interface Plan {
  weightName: string;
  weight: Float32Array;
  K: number;
  N: number;
  nodes: Uint8Array;
  /** Initializers the MatMulNBits read (weight, scales, zero points), dropped once nothing else does. */
  reads: string[];
}

/**
 * The float32 weight [K, N] (MatMul's B) a MatMulNBits computes with. B is uint8
 * [N, blocks, blockSize x bits / 8], codes packed from the low bits of each byte; scales float
 * [N x blocks]; zero points uint8, packed the same way per row of N (ceil(blocks x bits / 8)
 * bytes), or absent (2^(bits-1)). Rows past K in the last block are padding.
 */
export function dequantizeNBits(q: { K: number; N: number; bits: number; blockSize: number; packed: Uint8Array; scales: Float32Array; zeroPoints?: Uint8Array }): Float32Array {
  const { K, N, bits, blockSize, packed, scales, zeroPoints } = q;
  const blocks = Math.ceil(K / blockSize);
  const blob = (blockSize * bits) / 8;
  const zpRow = Math.ceil((blocks * bits) / 8);
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      const scale = scales[n * blocks + b];
      let zp = 1 << (bits - 1);
      if (zeroPoints) zp = (zeroPoints[n * zpRow + Math.floor(b / perByte)] >> ((b % perByte) * bits)) & mask;
      const base = (n * blocks + b) * blob;
      const k0 = b * blockSize;
      const end = Math.min(blockSize, K - k0);
      for (let i = 0; i < end; i++) {
        const code = (packed[base + Math.floor(i / perByte)] >> ((i % perByte) * bits)) & mask;
        out[(k0 + i) * N + n] = (code - zp) * scale;
      }
    }
  }
  return out;
}

function nodeBytes(opType: string, inputs: string[], outputs: string[], name: string): Uint8Array {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  return w.string(3, name).string(4, opType).finish();
}

function floatTensor(name: string, dims: number[], data: Float32Array): Uint8Array {
  const w = new ProtoWriter();
  for (const d of dims) w.int(1, d);
  return w.int(2, FLOAT).string(8, name).bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).finish();
}

/** Why a MatMulNBits cannot be expanded, or its plan. */
function planFor(n: NodeInfo, tensors: ReadonlyMap<string, TensorInfo>): Plan | string {
  const { K, N, block_size: blockSize } = n.ints;
  const bits = n.ints.bits ?? 4;
  const [a, bName, sName, zName = '', gName = '', biasName = ''] = n.inputs;
  if (!K || !N || !blockSize) return 'K, N or block_size missing';
  if (bits !== 4 && bits !== 8) return `${bits}-bit codes`;
  if ((blockSize * bits) % 8 !== 0) return `block size ${blockSize}`;
  if (gName) return 'a g_idx input (act-order)';
  const blocks = Math.ceil(K / blockSize);
  const B = tensors.get(bName);
  const S = tensors.get(sName);
  if (!B || !S) return 'its weight or scales are not initializers';
  if (B.dataType !== UINT8 || typeof B.data === 'string' || B.data.length !== (N * blocks * blockSize * bits) / 8) return `weight ${bName}: ${typeof B.data === 'string' ? B.data : 'not uint8 of the expected size'}`;
  if (S.dataType !== FLOAT || typeof S.data === 'string' || S.data.length !== N * blocks * 4) return `scales ${sName}: ${typeof S.data === 'string' ? S.data : 'not float32 (float16 graphs keep their 4-bit weights)'}`;
  let zeroPoints: Uint8Array | undefined;
  if (zName) {
    const Z = tensors.get(zName);
    if (!Z || Z.dataType !== UINT8 || typeof Z.data === 'string' || Z.data.length !== N * Math.ceil((blocks * bits) / 8)) return `zero points ${zName} are not packed uint8`;
    zeroPoints = Z.data;
  }
  const weight = dequantizeNBits({ K, N, bits, blockSize, packed: B.data, scales: floatsOf(S.data), zeroPoints });
  const weightName = `${bName}${SUFFIX}`;
  const out = n.outputs[0];
  const name = n.name || out;
  const nodes = biasName
    ? new ProtoWriter()
        .bytes(1, nodeBytes('MatMul', [a, weightName], [`${out}${SUFFIX}/matmul`], name))
        .bytes(1, nodeBytes('Add', [`${out}${SUFFIX}/matmul`, biasName], [out], `${name}${SUFFIX}/bias`))
        .finish()
    : new ProtoWriter().bytes(1, nodeBytes('MatMul', [a, weightName], [out], name)).finish();
  return { weightName, weight, K, N, nodes, reads: [bName, sName, zName].filter(Boolean) };
}

interface Walk {
  tensors: Map<string, TensorInfo>;
  /** How many node inputs, anywhere, name each value. */
  uses: Map<string, number>;
  nbits: NodeInfo[];
}

function walkGraph(buf: Uint8Array, graph: FieldSpan, external: ReadonlyMap<string, Uint8Array>, into: Walk): void {
  for (const f of fieldsOf(buf, graph)) {
    if (f.wire !== 2) continue;
    if (f.field === 5) {
      const t = readTensor(buf, f, external);
      if (!into.tensors.has(t.name)) into.tensors.set(t.name, t);
    } else if (f.field === 1) {
      const n = readNode(buf, f);
      for (const i of n.inputs) if (i) into.uses.set(i, (into.uses.get(i) ?? 0) + 1);
      if (n.opType === 'MatMulNBits' && n.domain === MS_DOMAIN) into.nbits.push(n);
      for (const s of n.subgraphs) walkGraph(buf, s.graph, external, into);
    }
  }
}

/** The GraphProto with planned nodes replaced, dropped initializers (and inputs naming them) left out, and new weights added. */
function rewriteGraph(buf: Uint8Array, graph: FieldSpan, plans: ReadonlyMap<number, Plan>, drop: ReadonlySet<string>): Uint8Array {
  const w = new ProtoWriter();
  const added: Plan[] = [];
  for (const f of fieldsOf(buf, graph)) {
    // An initializer (TensorProto name 8) or a graph input naming one (ValueInfoProto name 1).
    if (f.wire === 2 && (f.field === 5 || f.field === 11) && drop.has(nameOf(buf, f, f.field === 5 ? 8 : 1))) continue;
    const plan = f.field === 1 && f.wire === 2 ? plans.get(f.start) : undefined;
    if (plan) {
      w.raw(plan.nodes);
      added.push(plan);
      continue;
    }
    if (f.field === 1 && f.wire === 2) {
      const n = readNode(buf, f);
      if (n.subgraphs.length) {
        w.bytes(1, rewriteNodeSubgraphs(buf, n, plans, drop));
        continue;
      }
    }
    w.raw(buf.subarray(f.from, f.to));
  }
  for (const p of added) w.bytes(5, floatTensor(p.weightName, [p.K, p.N], p.weight));
  return w.finish();
}

function rewriteNodeSubgraphs(buf: Uint8Array, n: NodeInfo, plans: ReadonlyMap<number, Plan>, drop: ReadonlySet<string>): Uint8Array {
  const w = new ProtoWriter();
  for (const f of fieldsOf(buf, n.span)) {
    const sub = n.subgraphs.find((s) => s.attr.start === f.start);
    if (!sub) {
      w.raw(buf.subarray(f.from, f.to));
      continue;
    }
    const attr = new ProtoWriter();
    for (const a of fieldsOf(buf, f)) {
      if (a.start === sub.graph.start && a.field === 6) attr.bytes(6, rewriteGraph(buf, sub.graph, plans, drop));
      else attr.raw(buf.subarray(a.from, a.to));
    }
    w.bytes(5, attr.finish());
  }
  return w.finish();
}

/**
 * The model with its MatMulNBits nodes as float32 MatMuls, or why none was expanded. `external`
 * holds the graph's external data files by the names the graph gives them.
 */
export function expandMatMulNBits(model: Uint8Array, external: ReadonlyMap<string, Uint8Array> = new Map(), opts: { maxBytes?: number } = {}): NBitsExpansion | NBitsSkip {
  const maxBytes = opts.maxBytes ?? EXPAND_MAX_BYTES;
  const top = new ProtoReader(model, 0, model.length).spans();
  const graphSpan = top.find((f) => f.field === 7 && f.wire === 2);
  if (!graphSpan) throw new Error('no graph in the model');
  const walk: Walk = { tensors: new Map(), uses: new Map(), nbits: [] };
  walkGraph(model, graphSpan, external, walk);
  if (walk.nbits.length === 0) return { skipped: 'the graph has no MatMulNBits' };

  // Size first, from the attributes alone, before any weight is dequantised.
  const floatBytes = walk.nbits.reduce((s, n) => s + (n.ints.K ?? 0) * (n.ints.N ?? 0) * 4, 0);
  const externalBytes = [...external.values()].reduce((s, b) => s + b.length, 0);
  if (model.length + externalBytes + floatBytes > maxBytes) {
    const mb = (b: number) => `${Math.round(b / 1024 ** 2)} MB`;
    return { skipped: `its float32 weights (${mb(floatBytes)}) would make the graph about ${mb(model.length + externalBytes + floatBytes)}, over the ${mb(maxBytes)} the engine expands` };
  }

  const plans = new Map<number, Plan>();
  const kept: string[] = [];
  const readsLeft = new Map(walk.uses);
  for (const n of walk.nbits) {
    const plan = planFor(n, walk.tensors);
    if (typeof plan === 'string') {
      kept.push(`${n.name || n.outputs[0]}: ${plan}`);
      continue;
    }
    plans.set(n.span.start, plan);
    for (const r of plan.reads) readsLeft.set(r, (readsLeft.get(r) ?? 0) - 1);
  }
  if (plans.size === 0) return { skipped: `no MatMulNBits could be read (${kept[0]})` };
  const drop = new Set([...plans.values()].flatMap((p) => p.reads).filter((r) => (readsLeft.get(r) ?? 0) <= 0));

  const graph = rewriteGraph(model, graphSpan, plans, drop);
  const w = new ProtoWriter();
  for (const f of top) {
    if (f === graphSpan) w.bytes(7, graph);
    else w.raw(model.subarray(f.from, f.to));
  }
  return { model: w.finish(), nodes: plans.size, floatBytes: [...plans.values()].reduce((s, p) => s + p.weight.byteLength, 0), kept };
}
