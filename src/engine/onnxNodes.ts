/**
 * Reading ONNX NodeProtos in place, for the graph edits done as bytes at load (logitsRows.ts,
 * expandNBits.ts): a node's names, op type, integer attributes and subgraphs, each field kept as
 * its span so an edit can copy what it does not change.
 */
import { ProtoReader, type FieldSpan } from '../util/protobuf.ts';

export interface NodeInfo {
  span: FieldSpan;
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (K, N, bits, block_size, ...). */
  ints: Record<string, number>;
  /** Subgraph attributes (If branches, Loop bodies), in order: the AttributeProto's span and its GraphProto's. */
  subgraphs: { attr: FieldSpan; graph: FieldSpan }[];
}

const text = new TextDecoder();

/** A length-delimited field's payload as UTF-8 text. */
export const fieldText = (buf: Uint8Array, s: FieldSpan): string => text.decode(buf.subarray(s.start, s.end));

/** The fields of the message whose payload is `s`. */
export const fieldsOf = (buf: Uint8Array, s: FieldSpan): FieldSpan[] => new ProtoReader(buf, s.start, s.end).spans();

/** NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), domain (7). */
export function readNode(buf: Uint8Array, span: FieldSpan): NodeInfo {
  const n: NodeInfo = { span, opType: '', domain: '', name: '', inputs: [], outputs: [], ints: {}, subgraphs: [] };
  for (const f of fieldsOf(buf, span)) {
    if (f.wire !== 2) continue;
    if (f.field === 1) n.inputs.push(fieldText(buf, f));
    else if (f.field === 2) n.outputs.push(fieldText(buf, f));
    else if (f.field === 3) n.name = fieldText(buf, f);
    else if (f.field === 4) n.opType = fieldText(buf, f);
    else if (f.field === 7) n.domain = fieldText(buf, f);
    else if (f.field === 5) {
      // AttributeProto: name (1), i (3), g (6).
      let name = '';
      let int: number | null = null;
      for (const a of fieldsOf(buf, f)) {
        if (a.field === 1 && a.wire === 2) name = fieldText(buf, a);
        else if (a.field === 3 && a.wire === 0) int = a.value;
        else if (a.field === 6 && a.wire === 2) n.subgraphs.push({ attr: f, graph: a });
      }
      if (name && int !== null) n.ints[name] = int;
    }
  }
  return n;
}

/** The name (field 1) of a ValueInfoProto, or (field 8) of a TensorProto. */
export function nameOf(buf: Uint8Array, span: FieldSpan, field: number): string {
  const f = fieldsOf(buf, span).find((x) => x.field === field && x.wire === 2);
  return f ? fieldText(buf, f) : '';
}
