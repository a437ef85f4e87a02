/**
 * Reads just enough of an ONNX ModelProto to know how to drive it: the operator types of its nodes
 * (subgraphs of If/Loop included) and the attributes of the attention nodes. The runtime's session
 * only tells input and output names, not how attention is computed, and that decides how a batch
 * must be padded. Weights are skipped by length, never copied, so this is cheap on a large graph.
 */
import { ProtoReader as Reader } from '../util/protobuf.ts';

export interface GraphNode {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes only (num_heads, do_rotary, ...): all the engine needs. */
  intAttrs: Record<string, number>;
}

export interface GraphSummary {
  nodes: GraphNode[];
  /** Names of the main graph's outputs (logits, present.*). */
  outputs: string[];
  /** Every op type, as `domain:op` for non-default domains (com.microsoft:GroupQueryAttention). */
  opTypes: Set<string>;
}

const text = new TextDecoder(); // UTF-8

function readNode(buf: Uint8Array, start: number, end: number, into: GraphNode[]): void {
  const node: GraphNode = { opType: '', domain: '', inputs: [], outputs: [], intAttrs: {} };
  new Reader(buf, start, end).fields((f, w, s, e) => {
    if (w !== 2) return; // every NodeProto field read here is length-delimited
    if (f === 1) node.inputs.push(text.decode(buf.subarray(s, e)));
    else if (f === 2) node.outputs.push(text.decode(buf.subarray(s, e)));
    else if (f === 4) node.opType = text.decode(buf.subarray(s, e));
    else if (f === 7) node.domain = text.decode(buf.subarray(s, e));
    else if (f === 5) readAttribute(buf, s, e, node, into);
  });
  into.push(node);
}

/** AttributeProto: name (1), i (3), g (6), graphs (11). Subgraphs' nodes join the list. */
function readAttribute(buf: Uint8Array, start: number, end: number, node: GraphNode, into: GraphNode[]): void {
  let name = '';
  let int: number | null = null;
  new Reader(buf, start, end).fields((f, w, s, e, v) => {
    if (f === 1 && w === 2) name = text.decode(buf.subarray(s, e));
    else if (f === 3 && w === 0) int = v;
    else if ((f === 6 || f === 11) && w === 2) readGraph(buf, s, e, into);
  });
  if (name && int !== null) node.intAttrs[name] = int;
}

/** GraphProto: nodes (1); with `outputs`, also the names of its outputs (12, ValueInfoProto name 1). */
function readGraph(buf: Uint8Array, start: number, end: number, into: GraphNode[], outputs?: string[]): void {
  new Reader(buf, start, end).fields((f, w, s, e) => {
    if (w !== 2) return;
    if (f === 1) readNode(buf, s, e, into);
    else if (f === 12 && outputs) {
      new Reader(buf, s, e).fields((vf, vw, vs, ve) => {
        if (vf === 1 && vw === 2) outputs.push(text.decode(buf.subarray(vs, ve)));
      });
    }
  });
}

/** Summarises a serialised ModelProto. Throws on bytes that are not one. */
export function summariseGraph(model: Uint8Array): GraphSummary {
  const nodes: GraphNode[] = [];
  const outputs: string[] = [];
  let sawGraph = false;
  new Reader(model, 0, model.length).fields((f, w, s, e) => {
    if (f !== 7 || w !== 2) return;
    sawGraph = true;
    readGraph(model, s, e, nodes, outputs);
  });
  if (!sawGraph) throw new Error('no graph in the model');
  const opTypes = new Set(nodes.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType}` : n.opType)));
  return { nodes, outputs, opTypes };
}

/**
 * How a graph's attention treats padding, which decides how the engine pads a batch:
 * - 'masked': attention reads the attention mask per key (plain MatMul/Softmax, MultiHeadAttention,
 *   Attention with a mask): left padding is fine, and a chunk may carry a past at any batch size.
 * - 'right-padded': com.microsoft GroupQueryAttention. It ignores the mask except for its row sums
 *   (seqlens_k) and assumes each row's real tokens come first; with a past it accepts more than one
 *   new token only at batch 1.
 */
export type AttentionStyle = 'masked' | 'right-padded';

export function attentionStyle(summary: GraphSummary): AttentionStyle {
  return summary.opTypes.has('com.microsoft:GroupQueryAttention') ? 'right-padded' : 'masked';
}
