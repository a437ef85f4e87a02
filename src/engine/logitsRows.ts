/**
 * Logits only where they are needed, for exports that cannot be told so. A graph without a
 * `num_logits_to_keep` input projects every position onto the whole vocabulary; for a 49k-151k
 * vocabulary that is a fifth to a quarter of all the work of a scoring pass, and its memory forces
 * the engine to chunk. Even `num_logits_to_keep` keeps a suffix, which does not help a right-padded
 * batch (GroupQueryAttention), whose rows end at different columns. So, at load, the engine gives
 * such a graph an input that names the rows to project: the hidden states [B, S, H] are flattened
 * to [B x S, H], the rows listed in `iprompt_logits_rows` (int64 [K], row b x S + s) are gathered,
 * and the final projection sees only those ([1, K, H], logits [1, K, V]). Each kept row is
 * projected exactly as before, so the numbers are the same.
 *
 * The graph is edited as bytes: every field it does not change is copied as it was (weights
 * included), the projection node gets its new input, and a few small nodes, constants and the
 * input are added. Graphs where the projection cannot be found with certainty are left alone.
 */
import { ProtoReader, ProtoWriter, type FieldSpan } from '../util/protobuf.ts';
import { fieldText as str, nameOf, readNode, type NodeInfo } from './onnxNodes.ts';

export interface LogitsRowsEdit {
  model: Uint8Array;
  /** The projection that now sees only the gathered rows (its op type and node name). */
  projection: string;
}

/** Why a graph was left as it was (for the model's info). */
export type LogitsRowsSkip = 'has-keep-input' | 'no-projection-found' | 'old-opset';

/** The input the edit adds: int64 [K], the rows (b x S + s) whose logits the pass returns, in that order. */
export const LOGITS_ROWS_INPUT = 'iprompt_logits_rows';
/** The names exports give the scalar "keep the last n logits" input; a graph with one is left alone. */
export const KEEP_INPUT_NAMES = ['num_logits_to_keep', 'logits_to_keep'] as const;
const PREFIX = '/iprompt/logits_rows/';
const INT64 = 7;
const isDefault = (domain: string) => domain === '' || domain === 'ai.onnx';
/** Ops between the projection and the logits output that keep every position: a cast to float32 (float16 exports), an identity. */
const PASS_THROUGH = new Set(['Cast', 'Identity']);
/** Ops that only reshape or convert a weight (a tied embedding's Transpose, a dequantised initializer). */
const WEIGHT_OPS = new Set(['Transpose', 'Cast', 'Identity', 'DequantizeLinear', 'Reshape']);

function int64Tensor(name: string, values: bigint[]): Uint8Array {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  // TensorProto: dims (1), data_type (2), name (8), raw_data (9).
  return new ProtoWriter().int(1, values.length).int(2, INT64).string(8, name).bytes(9, raw).finish();
}

/** A NodeProto; `axis` becomes an int attribute (AttributeProto name 1, i 3, type 20 = INT). */
function node(opType: string, inputs: string[], output: string, axis?: number): Uint8Array {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  w.string(2, output).string(3, output).string(4, opType);
  if (axis !== undefined) w.message(5, (a) => a.string(1, 'axis').int(3, axis).int(20, 2));
  return w.finish();
}

/** The fields `spans` of `buf` copied in order, those in `replace` swapped for new bytes (matched by identity). */
function splice(buf: Uint8Array, spans: readonly FieldSpan[], replace: Map<FieldSpan, Uint8Array>): Uint8Array {
  const w = new ProtoWriter();
  for (const f of spans) w.raw(replace.get(f) ?? buf.subarray(f.from, f.to));
  return w.finish();
}

/** A field re-encoded with a new payload. */
const field = (number: number, payload: Uint8Array) => new ProtoWriter().bytes(number, payload).finish();

/** The projection node with its activation input (the `index`-th input, NodeProto field 1) renamed. */
function withInput(buf: Uint8Array, n: NodeInfo, index: number, name: string): Uint8Array {
  const fields = new ProtoReader(buf, n.span.start, n.span.end).spans();
  const input = fields.filter((f) => f.field === 1 && f.wire === 2)[index];
  return splice(buf, fields, new Map([[input, new ProtoWriter().string(1, name).finish()]]));
}

/**
 * One GraphProto with the rows before the projection that produces `output` gathered by
 * LOGITS_ROWS_INPUT (a name from this graph or an enclosing one). An If node on the way (optimum's
 * merged decoder) has both branches edited the same way.
 */
function cutGraph(buf: Uint8Array, graphSpan: FieldSpan, output: string, prefix: string): { graph: Uint8Array; projection: string } | null {
  const graph = new ProtoReader(buf, graphSpan.start, graphSpan.end).spans();
  const nodes: NodeInfo[] = [];
  const initializers = new Set<string>();
  for (const f of graph) {
    if (f.wire !== 2) continue;
    if (f.field === 1) nodes.push(readNode(buf, f));
    else if (f.field === 5) initializers.add(nameOf(buf, f, 8));
  }
  const producer = new Map<string, NodeInfo>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const isWeight = (name: string, depth = 0): boolean => {
    if (initializers.has(name)) return true;
    const p = producer.get(name);
    return !!p && depth < 4 && isDefault(p.domain) && (WEIGHT_OPS.has(p.opType) || p.opType === 'Constant') && p.inputs.every((i) => i === '' || isWeight(i, depth + 1));
  };

  // From the output back through casts to the projection.
  const downstream: string[] = [output];
  let proj = producer.get(output);
  while (proj && isDefault(proj.domain) && PASS_THROUGH.has(proj.opType) && proj.inputs.length === 1) {
    downstream.push(proj.inputs[0]);
    proj = producer.get(proj.inputs[0]);
  }
  if (!proj) return null;
  // Shapes recorded for tensors after the cut (value_info) no longer hold: dropped, the runtime infers them.
  const stale = new Set([...downstream, ...proj.outputs]);
  const dropStale = (f: FieldSpan) => f.field === 13 && f.wire === 2 && stale.has(nameOf(buf, f, 1));

  if (proj.opType === 'If' && isDefault(proj.domain)) {
    const index = proj.outputs.indexOf(downstream[downstream.length - 1]);
    const nodeFields = new ProtoReader(buf, proj.span.start, proj.span.end).spans();
    const replace = new Map<FieldSpan, Uint8Array>();
    let projection = '';
    for (const [b, { attr, graph: sub }] of proj.subgraphs.entries()) {
      const subOutputs = new ProtoReader(buf, sub.start, sub.end).spans().filter((f) => f.field === 12 && f.wire === 2);
      if (!subOutputs[index]) return null;
      const cut = cutGraph(buf, sub, nameOf(buf, subOutputs[index], 1), `${prefix}${b}/`);
      if (!cut) return null;
      projection = cut.projection;
      const attrFields = new ProtoReader(buf, attr.start, attr.end).spans();
      // splice matches spans by identity: the node's own field for this attribute.
      replace.set(nodeFields.find((f) => f.start === attr.start)!, field(5, splice(buf, attrFields, new Map([[attrFields.find((f) => f.start === sub.start)!, field(6, cut.graph)]]))));
    }
    if (replace.size !== 2) return null;
    const ifNode = field(1, splice(buf, nodeFields, replace));
    return { graph: splice(buf, graph.filter((f) => !dropStale(f)), new Map([[proj.span, ifNode]])), projection: `If > ${projection}` };
  }

  let activation = -1;
  if (proj.opType === 'MatMulNBits' && proj.domain === 'com.microsoft') activation = 0;
  else if (proj.opType === 'MatMul' && isDefault(proj.domain) && proj.inputs.length === 2) {
    const [a, b] = proj.inputs.map((i) => isWeight(i));
    activation = !a && b ? 0 : a && !b ? 1 : -1;
  }
  if (activation < 0) return null;

  const hidden = proj.inputs[activation];
  const n = (name: string) => `${prefix}${name}`;
  // [B, S, H] -> Flatten(axis 2) [B x S, H] -> Gather(rows, axis 0) [K, H] -> Reshape to [1, K, H]
  // (the shape [1] ++ Shape([K, H])): the projection keeps its rank-3 layout, logits [1, K, V].
  const g = new ProtoWriter();
  for (const f of graph) {
    if (f === proj.span) {
      g.bytes(1, node('Flatten', [hidden], n('flat'), 2));
      g.bytes(1, node('Gather', [n('flat'), LOGITS_ROWS_INPUT], n('picked'), 0));
      g.bytes(1, node('Shape', [n('picked')], n('picked_shape')));
      g.bytes(1, node('Concat', [n('one'), n('picked_shape')], n('shape'), 0));
      g.bytes(1, node('Reshape', [n('picked'), n('shape')], n('hidden')));
      g.bytes(1, withInput(buf, proj, activation, n('hidden')));
    } else if (!dropStale(f)) {
      g.raw(buf.subarray(f.from, f.to));
    }
  }
  g.bytes(5, int64Tensor(n('one'), [1n]));
  return { graph: g.finish(), projection: `${proj.opType} ${proj.name || hidden}` };
}

/** The graph with the LOGITS_ROWS_INPUT input, or why it was left alone. */
export function addLogitsRows(model: Uint8Array): LogitsRowsEdit | { skipped: LogitsRowsSkip } {
  const top = new ProtoReader(model, 0, model.length).spans();
  const graphSpan = top.find((f) => f.field === 7 && f.wire === 2);
  if (!graphSpan) throw new Error('no graph in the model');
  // opset_import (8): OperatorSetIdProto domain (1), version (2), of the default domain.
  let opset = 0;
  for (const f of top) {
    if (f.field !== 8 || f.wire !== 2) continue;
    const parts = new ProtoReader(model, f.start, f.end).spans();
    const domain = parts.find((p) => p.field === 1 && p.wire === 2);
    if (!domain || isDefault(str(model, domain))) opset = Math.max(opset, parts.find((p) => p.field === 2 && p.wire === 0)?.value ?? 0);
  }
  const inputs = new ProtoReader(model, graphSpan.start, graphSpan.end).spans().filter((f) => f.field === 11 && f.wire === 2).map((f) => nameOf(model, f, 1));
  if (KEEP_INPUT_NAMES.some((n) => inputs.includes(n))) return { skipped: 'has-keep-input' };
  // Gather, Flatten, Concat and Reshape as used here all exist from opset 5 on; 11 to be safe with Flatten's axis 2 and negative indices.
  if (opset < 11) return { skipped: 'old-opset' };
  const cut = cutGraph(model, graphSpan, 'logits', PREFIX);
  if (!cut) return { skipped: 'no-projection-found' };
  // An int64 [K] input: ValueInfoProto name (1), type (2) = TypeProto tensor_type (1) { elem_type (1), shape (2) { dim (1) { dim_param (2) } } }.
  const input = new ProtoWriter()
    .message(11, (v) => v.string(1, LOGITS_ROWS_INPUT).message(2, (t) => t.message(1, (tt) => tt.int(1, INT64).message(2, (sh) => sh.message(1, (d) => d.string(2, 'logits_rows'))))))
    .finish();
  const graph = new ProtoWriter().raw(cut.graph).raw(input).finish();
  return { model: splice(model, top, new Map([[graphSpan, field(7, graph)]])), projection: cut.projection };
}
