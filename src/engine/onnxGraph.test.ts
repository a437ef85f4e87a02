import { describe, expect, it } from 'vitest';
import { DT, GraphBuilder } from '../../tools/modelgen/onnx.ts';
import { attentionStyle, summariseGraph } from './onnxGraph.ts';

function graph(withGqa: boolean, subgraph = false): Uint8Array {
  const g = new GraphBuilder('t');
  const x = g.input('x', DT.FLOAT, [1, 4]);
  if (subgraph) {
    const inner = new GraphBuilder('then', 'then/');
    inner.node('GroupQueryAttention', ['x'], { domain: 'com.microsoft', outputs: ['then/y'], attrs: { num_heads: 4, do_rotary: 1 } });
    inner.output('then/y', DT.FLOAT, [1, 4]);
    const other = new GraphBuilder('else', 'else/');
    other.node('Identity', ['x'], { outputs: ['else/y'] });
    other.output('else/y', DT.FLOAT, [1, 4]);
    g.node('If', [g.input('flag', DT.BOOL, [1])], { outputs: ['y'], attrs: { then_branch: { graph: inner }, else_branch: { graph: other } } });
  } else if (withGqa) {
    g.node('GroupQueryAttention', [x], { domain: 'com.microsoft', outputs: ['y'], attrs: { num_heads: 8, kv_num_heads: 2, scale: { float: 0.5 } } });
  } else {
    g.node('Softmax', [g.node('MatMul', [x, x])], { outputs: ['y'], attrs: { axis: -1 } });
  }
  g.output('y', DT.FLOAT, [1, 4]);
  g.output('present.0.key', DT.FLOAT, [1, 4]);
  return g.finish();
}

describe('summariseGraph', () => {
  it('lists op types with their domain, integer attributes, and the graph outputs', () => {
    const s = summariseGraph(graph(true));
    expect([...s.opTypes]).toEqual(['com.microsoft:GroupQueryAttention']);
    expect(s.nodes[0]).toMatchObject({ opType: 'GroupQueryAttention', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'], intAttrs: { num_heads: 8, kv_num_heads: 2 } });
    // A float attribute is not an integer one.
    expect(s.nodes[0].intAttrs.scale).toBeUndefined();
    expect(s.outputs).toEqual(['y', 'present.0.key']);
    expect(attentionStyle(s)).toBe('right-padded');
  });

  it('plain attention is masked; ops inside If branches count', () => {
    const plain = summariseGraph(graph(false));
    expect([...plain.opTypes].sort()).toEqual(['MatMul', 'Softmax']);
    expect(attentionStyle(plain)).toBe('masked');
    const merged = summariseGraph(graph(false, true));
    expect(merged.opTypes.has('If')).toBe(true);
    expect(merged.opTypes.has('com.microsoft:GroupQueryAttention')).toBe(true);
    expect(merged.nodes.find((n) => n.opType === 'GroupQueryAttention')!.intAttrs).toEqual({ num_heads: 4, do_rotary: 1 });
  });

  it('refuses bytes that are not a ModelProto, and truncated ones', () => {
    expect(() => summariseGraph(new TextEncoder().encode('not a model'))).toThrow();
    const whole = graph(true);
    expect(() => summariseGraph(whole.subarray(0, whole.length - 5))).toThrow(/truncated/);
    expect(() => summariseGraph(new Uint8Array([0x08, 0x08]))).toThrow(/no graph/);
  });
});

/**
 * Protobuf written by hand, field by field, as the wire format says (varint keys: field << 3 |
 * wire type), to put in what the test models never have: fixed-width fields, stray types,
 * non-default domains, and cuts in every kind of field.
 */
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    out.push((n % 128) + (n >= 128 ? 128 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
};
const bytesOf = (s: string) => [...new TextEncoder().encode(s)];
const field = (f: number, wire: number, payload: number[]) => [...varint(f * 8 + wire), ...payload];
const str = (f: number, s: string) => field(f, 2, [...varint(bytesOf(s).length), ...bytesOf(s)]);
const sub = (f: number, b: number[]) => field(f, 2, [...varint(b.length), ...b]);
const int = (f: number, n: number) => field(f, 0, varint(n));
const fixed32 = (f: number) => field(f, 5, [1, 2, 3, 4]);
const fixed64 = (f: number) => field(f, 1, [1, 2, 3, 4, 5, 6, 7, 8]);
const model = (graph: number[], extra: number[] = []) => Uint8Array.from([...int(1, 8), ...extra, ...sub(7, graph)]);

describe('summariseGraph on hand-written protobuf', () => {
  it('skips fixed-width and stray fields wherever they are, reading names, domains and integer attributes', () => {
    const attr = [...str(1, 'num_heads'), ...fixed32(2), ...int(3, 12), ...fixed64(4)];
    const node = [...str(1, 'x'), ...fixed64(9), ...str(2, 'y'), ...int(4, 5), ...str(4, 'Attention'), ...fixed32(10), ...str(7, 'ai.onnx'), ...sub(5, attr)];
    const custom = [...str(4, 'GroupQueryAttention'), ...str(7, 'com.microsoft'), ...sub(5, [...str(1, 'do_rotary'), ...int(3, 1)])];
    // A string-valued attribute (s, field 4) has no integer: it is left out.
    const named = [...str(4, 'Cast'), ...sub(5, [...str(1, 'to'), ...str(4, 'float')])];
    const graph = [...fixed32(3), ...sub(1, node), ...int(2, 7), ...sub(1, custom), ...sub(1, named), ...sub(12, [...str(1, 'logits'), ...fixed64(2)]), ...sub(12, str(1, 'present.0.key'))];
    const g = summariseGraph(model(graph, [...fixed64(3), ...fixed32(4)]));
    expect(g.nodes).toEqual([
      { opType: 'Attention', domain: 'ai.onnx', inputs: ['x'], outputs: ['y'], intAttrs: { num_heads: 12 } },
      { opType: 'GroupQueryAttention', domain: 'com.microsoft', inputs: [], outputs: [], intAttrs: { do_rotary: 1 } },
      { opType: 'Cast', domain: '', inputs: [], outputs: [], intAttrs: {} },
    ]);
    expect(g.outputs).toEqual(['logits', 'present.0.key']);
    expect([...g.opTypes]).toEqual(['Attention', 'com.microsoft:GroupQueryAttention', 'Cast']);
    expect(attentionStyle(g)).toBe('right-padded');
  });

  it('ignores a field with a known number but the wrong wire type, at every level', () => {
    // Each stray varint reuses the number of a length-delimited field read at that level.
    const attr = [...str(1, 'num_heads'), ...int(3, 12), ...int(1, 5), ...sub(3, [1]), ...int(6, 2), ...int(11, 2)];
    const node = [...str(4, 'Add'), ...str(1, 'a'), ...int(4, 9), ...int(1, 3), ...int(2, 3), ...int(7, 1), ...sub(5, attr)];
    const graph = [...int(1, 5), ...sub(1, node), ...sub(12, [...str(1, 'logits'), ...int(1, 4)]), ...int(12, 3)];
    const g = summariseGraph(model(graph));
    expect(g.nodes).toEqual([{ opType: 'Add', domain: '', inputs: ['a'], outputs: [], intAttrs: { num_heads: 12 } }]);
    expect(g.outputs).toEqual(['logits']);
    // A model whose field 7 is a varint has no graph.
    expect(() => summariseGraph(Uint8Array.from([...int(1, 8), ...int(7, 3)]))).toThrow('no graph in the model');
  });

  it('leaves out a nameless attribute, and a node without an op type has an empty one', () => {
    const g = summariseGraph(model(sub(1, [...str(1, 'x'), ...sub(5, int(3, 4))])));
    expect(g.nodes).toEqual([{ opType: '', domain: '', inputs: ['x'], outputs: [], intAttrs: {} }]);
  });

  it('reads a graph held in a "g" or a "graphs" attribute, and ignores those fields when they are not messages', () => {
    const inner = sub(1, str(4, 'Softmax'));
    const ifNode = [...str(4, 'If'), ...sub(5, [...str(1, 'then_branch'), ...sub(6, inner)]), ...sub(5, [...str(1, 'body'), ...sub(11, sub(1, str(4, 'MatMul')))]), ...sub(5, [...str(1, 'x'), ...int(6, 3), ...int(11, 4)])];
    const g = summariseGraph(model(sub(1, ifNode)));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Softmax', 'MatMul', 'If']);
    // Outputs are read from the main graph only.
    const withOutputs = sub(1, [...str(4, 'If'), ...sub(5, [...str(1, 'g'), ...sub(6, [...inner, ...sub(12, str(1, 'inner_out'))])])]);
    expect(summariseGraph(model([...withOutputs, ...sub(12, str(1, 'logits'))])).outputs).toEqual(['logits']);
  });

  it('names what is wrong with a cut or malformed message', () => {
    const good = model(sub(1, str(4, 'Add')));
    expect(summariseGraph(good).nodes).toHaveLength(1);
    // A varint cut short (its last byte still says "more follows").
    expect(() => summariseGraph(Uint8Array.from([0x08, 0x80]))).toThrow('truncated varint');
    expect(() => summariseGraph(Uint8Array.from([0x08]))).toThrow('truncated varint');
    expect(() => summariseGraph(Uint8Array.from([0x08, ...Array(10).fill(0x80), 0x01]))).toThrow('varint too long');
    // A length past the end, and fixed-width fields cut short.
    expect(() => summariseGraph(good.subarray(0, good.length - 1))).toThrow('truncated field');
    expect(() => summariseGraph(Uint8Array.from([...int(1, 8), ...field(3, 5, [1, 2, 3])]))).toThrow('truncated field');
    expect(() => summariseGraph(Uint8Array.from([...int(1, 8), ...field(3, 1, [1, 2, 3, 4, 5, 6, 7])]))).toThrow('truncated field');
    // Exactly filling the message is not a cut.
    expect(summariseGraph(Uint8Array.from([...good, ...fixed64(3)])).nodes).toHaveLength(1);
    expect(summariseGraph(Uint8Array.from([...good, ...fixed32(3)])).nodes).toHaveLength(1);
    // Groups (wire types 3 and 4) are not used by ONNX.
    expect(() => summariseGraph(Uint8Array.from([...good, ...field(3, 3, [])]))).toThrow('unsupported wire type 3');
  });
});

