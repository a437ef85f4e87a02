/**
 * A small ONNX graph builder over ProtoWriter. Nodes are added in topological order by the model
 * builders; `finish()` serialises a ModelProto (IR 8, opset 17 plus com.microsoft for MatMulNBits).
 */
import { ProtoWriter } from '../../src/util/protobuf.ts';

export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type DataType = (typeof DT)[keyof typeof DT];

export type Dim = number | string;
export type AttrValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number } | { graph: GraphBuilder };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

interface Initializer {
  name: string;
  dims: number[];
  dataType: DataType;
  raw: Uint8Array;
}

interface ValueInfo {
  name: string;
  elemType: DataType;
  shape: Dim[];
}

export class GraphBuilder {
  private nodes: (NodeSpec & { name: string })[] = [];
  private initializers: Initializer[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private counter = 0;
  private constCache = new Map<string, string>();

  /** `scope` prefixes every generated name, so the branches of an If never share a value name. */
  constructor(
    readonly name: string,
    private readonly scope = '',
  ) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${this.scope}${prefix}_${this.counter++}`;
  }

  input(name: string, elemType: DataType, shape: Dim[]): string {
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  output(name: string, elemType: DataType, shape: Dim[]): void {
    this.outputs.push({ name, elemType, shape });
  }

  /** Adds a node; returns its single output name (or the first one). */
  node(op: string, inputs: string[], opts: { outputs?: string[] | number; attrs?: Record<string, AttrValue>; domain?: string; name?: string } = {}): string {
    const outputs =
      typeof opts.outputs === 'number'
        ? Array.from({ length: opts.outputs }, () => this.fresh(op.toLowerCase()))
        : (opts.outputs ?? [this.fresh(op.toLowerCase())]);
    this.nodes.push({ op, inputs, outputs, attrs: opts.attrs, domain: opts.domain, name: opts.name ?? this.fresh(`n_${op}`) });
    return outputs[0];
  }

  /** Like node() with several outputs, returning all their names. */
  nodeMulti(op: string, inputs: string[], count: number, attrs?: Record<string, AttrValue>): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh(op.toLowerCase()));
    this.node(op, inputs, { outputs, attrs });
    return outputs;
  }

  initFloat(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({ name, dims, dataType: DT.FLOAT, raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** A float16 initializer from float32 values (rounded to nearest even). */
  initHalf(name: string, dims: number[], data: Float32Array): string {
    const h = floatToHalf(data);
    return this.initBytes(name, dims, DT.FLOAT16, new Uint8Array(h.buffer, h.byteOffset, h.byteLength));
  }

  initBytes(name: string, dims: number[], dataType: DataType, raw: Uint8Array): string {
    this.initializers.push({ name, dims, dataType, raw });
    return name;
  }

  /** A cached int64 constant tensor (1-D unless `scalar`). */
  constInt64(values: number[], scalar = false): string {
    const key = `i64:${scalar}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('const_i64');
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: scalar ? [] : [values.length], dataType: DT.INT64, raw: new Uint8Array(data.buffer) });
    this.constCache.set(key, name);
    return name;
  }

  constFloat(value: number): string {
    const key = `f32:${value}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.initFloat(this.fresh('const_f32'), [], new Float32Array([value]));
    this.constCache.set(key, name);
    return name;
  }

  /**
   * Serialises the model. With `externalData`, initializers of at least `threshold` bytes are
   * written to that file instead (as exporters do for models over 2 GB) and `data` holds its bytes.
   */
  finishWithExternalData(externalData: string, threshold = 1024): { model: Uint8Array; data: Uint8Array } {
    const { model, files } = this.finishWithChunkedExternalData(externalData, Infinity, threshold);
    return { model, data: files[externalData] ?? new Uint8Array(0) };
  }

  /**
   * Like finishWithExternalData, but a new file starts once one reaches `chunkBytes`: `base`,
   * `base_1`, `base_2`, ... (the layout of exports whose weights pass the 2 GB protobuf limit).
   */
  finishWithChunkedExternalData(base: string, chunkBytes: number, threshold = 1024): { model: Uint8Array; files: Record<string, Uint8Array> } {
    const parts: { location: string; chunks: Uint8Array[]; size: number }[] = [];
    this.external = new Map();
    for (const t of this.initializers) {
      if (t.raw.length < threshold) continue;
      let part = parts[parts.length - 1];
      if (!part || (part.size > 0 && part.size + t.raw.length > chunkBytes)) {
        part = { location: parts.length === 0 ? base : `${base}_${parts.length}`, chunks: [], size: 0 };
        parts.push(part);
      }
      this.external.set(t.name, { location: part.location, offset: part.size, length: t.raw.length });
      part.chunks.push(t.raw);
      part.size += t.raw.length;
    }
    const files: Record<string, Uint8Array> = {};
    for (const part of parts) {
      const data = new Uint8Array(part.size);
      let o = 0;
      for (const c of part.chunks) {
        data.set(c, o);
        o += c.length;
      }
      files[part.location] = data;
    }
    const model = this.finish();
    this.external = null;
    return { model, files };
  }

  private external: Map<string, { location: string; offset: number; length: number }> | null = null;

  finish(opts: { producer?: string; docString?: string } = {}): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, 8); // ir_version
    w.string(2, opts.producer ?? 'iprompt-web modelgen');
    w.message(7, (g) => this.writeGraph(g));
    w.message(8, (o) => o.string(1, '').int(2, 17));
    w.message(8, (o) => o.string(1, 'com.microsoft').int(2, 1));
    if (opts.docString) w.string(6, opts.docString);
    return w.finish();
  }

  /** GraphProto fields; also used for the subgraphs of If nodes. */
  writeGraph(g: ProtoWriter): void {
    {
      for (const n of this.nodes) {
        g.message(1, (nw) => {
          for (const i of n.inputs) nw.string(1, i);
          for (const o of n.outputs) nw.string(2, o);
          nw.string(3, n.name);
          nw.string(4, n.op);
          for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, (aw) => writeAttr(aw, k, v));
          if (n.domain) nw.string(7, n.domain);
        });
      }
      g.string(2, this.name);
      for (const t of this.initializers) {
        g.message(5, (tw) => {
          if (t.dims.length) tw.packedInts(1, t.dims);
          tw.int(2, t.dataType);
          tw.string(8, t.name);
          const ext = this.external?.get(t.name);
          if (ext) {
            // TensorProto.external_data (13) key/value entries, data_location (14) = EXTERNAL.
            for (const [k, v] of [['location', ext.location], ['offset', String(ext.offset)], ['length', String(ext.length)]]) {
              tw.message(13, (e) => e.string(1, k).string(2, v));
            }
            tw.int(14, 1);
          } else {
            tw.bytes(9, t.raw);
          }
        });
      }
      for (const v of this.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
      for (const v of this.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
    }
  }
}

function writeAttr(w: ProtoWriter, name: string, v: AttrValue): void {
  w.string(1, name);
  // AttributeProto.type: FLOAT=1, INT=2, STRING=3, GRAPH=5, FLOATS=6, INTS=7
  if (typeof v === 'object' && !Array.isArray(v) && 'graph' in v) {
    const sub = v.graph;
    w.message(6, (gw) => sub.writeGraph(gw)).int(20, 5);
  } else if (typeof v === 'string') {
    w.string(4, v).int(20, 3);
  } else if (typeof v === 'number') {
    if (Number.isInteger(v)) w.int(3, v).int(20, 2);
    else w.float(2, v).int(20, 1);
  } else if (Array.isArray(v)) {
    w.packedInts(8, v).int(20, 7);
  } else if ('floats' in v) {
    w.packedFloats(7, v.floats).int(20, 6);
  } else if ('int' in v) {
    w.int(3, v.int).int(20, 2);
  } else {
    w.float(2, v.float).int(20, 1);
  }
}

/** float32 -> IEEE half bits, round to nearest even (overflow to infinity, subnormals kept). */
export function floatToHalf(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < src.length; i++) {
    f[0] = src[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let h = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rem > halfway || (rem === halfway && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
    out[i] = sign | h;
  }
  return out;
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (tw) =>
    tw.message(1, (tt) => {
      tt.int(1, v.elemType);
      tt.message(2, (sw) => {
        for (const d of v.shape) sw.message(1, (dw) => (typeof d === 'number' ? dw.int(1, d) : dw.string(2, d)));
      });
    }),
  );
}
