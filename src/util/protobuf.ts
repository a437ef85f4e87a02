/**
 * A minimal protobuf wire-format reader and writer: just what an ONNX ModelProto needs (varints,
 * 32-bit floats, length-delimited fields). Keeping it here avoids a protobuf dependency and a
 * .proto file for the one message family we read (src/engine/onnxGraph.ts), edit
 * (src/engine/keepLogits.ts) and write (tools/modelgen).
 */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private size = 0;

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    const bytes = Uint8Array.from(this.scratch);
    this.chunks.push(bytes);
    this.size += bytes.length;
    this.scratch = [];
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const buf = new DataView(new ArrayBuffer(4));
    buf.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.scratch.push(buf.getUint8(i));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    this.flushScratch();
    this.chunks.push(value);
    this.size += value.length;
    return this;
  }

  /** Bytes already in wire format (a field copied from another message), as they are. */
  raw(value: Uint8Array): this {
    this.flushScratch();
    this.chunks.push(value);
    this.size += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const buf = new Float32Array(values);
    return this.bytes(field, new Uint8Array(buf.buffer));
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

export interface FieldSpan {
  field: number;
  wire: number;
  from: number;
  to: number;
  start: number;
  end: number;
  value: number;
}

/** Reads the fields of one message in `buf[start, end)`; length-delimited payloads are given as ranges, never copied. */
export class ProtoReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      // Above 2^53 precision is lost; only lengths and small ints are read as numbers here.
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }

  /**
   * Every field with its whole byte range [from, to) (key included, for copying it unchanged) and,
   * for length-delimited ones, the payload's [start, end).
   */
  spans(): FieldSpan[] {
    const out: FieldSpan[] = [];
    let from = this.pos;
    this.fields((field, wire, start, end, value) => {
      out.push({ field, wire, from, to: this.pos, start, end, value });
      from = this.pos;
    });
    return out;
  }

  /** Calls `onField` for each field; length-delimited and fixed-width fields get their [start, end). */
  fields(onField: (field: number, wire: number, start: number, end: number, value: number) => void): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) {
        onField(field, wire, 0, 0, this.varint());
      } else if (wire === 2) {
        const len = this.varint();
        const start = this.pos;
        if (start + len > this.end) throw new Error('truncated field');
        this.pos += len;
        onField(field, wire, start, start + len, len);
      } else if (wire === 5 || wire === 1) {
        // Fixed 32- or 64-bit values: passed as their byte range.
        const start = this.pos;
        this.pos += wire === 5 ? 4 : 8;
        if (this.pos > this.end) throw new Error('truncated field');
        onField(field, wire, start, this.pos, 0);
      } else {
        throw new Error(`unsupported wire type ${wire}`);
      }
      if (this.pos > this.end) throw new Error('truncated field');
    }
  }
}

