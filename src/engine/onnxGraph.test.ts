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
