/**
 * A small ONNX graph builder over ProtoWriter. Nodes are added in topological order by the model
 * builders; `finish()` serialises a ModelProto (IR 8, opset 17 plus com.microsoft for MatMulNBits).
 */
import { ProtoWriter } from './protobuf.ts';

export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type DataType = (typeof DT)[keyof typeof DT];

export type Dim = number | string;
export type AttrValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number };

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

  constructor(readonly name: string) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
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
    const chunks: Uint8Array[] = [];
    let offset = 0;
    this.external = new Map();
    for (const t of this.initializers) {
      if (t.raw.length < threshold) continue;
      this.external.set(t.name, { location: externalData, offset, length: t.raw.length });
      chunks.push(t.raw);
      offset += t.raw.length;
    }
    const data = new Uint8Array(offset);
    let o = 0;
    for (const c of chunks) {
      data.set(c, o);
      o += c.length;
    }
    const model = this.finish();
    this.external = null;
    return { model, data };
  }

  private external: Map<string, { location: string; offset: number; length: number }> | null = null;

  finish(opts: { producer?: string; docString?: string } = {}): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, 8); // ir_version
    w.string(2, opts.producer ?? 'iprompt-web modelgen');
    w.message(7, (g) => {
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
    });
    w.message(8, (o) => o.string(1, '').int(2, 17));
    w.message(8, (o) => o.string(1, 'com.microsoft').int(2, 1));
    if (opts.docString) w.string(6, opts.docString);
    return w.finish();
  }
}

function writeAttr(w: ProtoWriter, name: string, v: AttrValue): void {
  w.string(1, name);
  // AttributeProto.type: FLOAT=1, INT=2, STRING=3, FLOATS=6, INTS=7
  if (typeof v === 'string') {
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
