/**
 * The graph edit on its own: which graphs it leaves alone and why, and that what it does not
 * change is copied byte for byte. That the edited graphs compute the same numbers is tested on
 * every export replica (replicas.test.ts) and the GPT-2 test model (engine.test.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../util/protobuf.ts';
import { addLogitsRows, LOGITS_ROWS_INPUT } from './logitsRows.ts';
import { summariseGraph } from './onnxGraph.ts';
import { TINY_GPT2_DIR, TINY_LLAMA_DIR } from '../test/testModels.ts';

/** A ModelProto (opset `opset`) whose graph has the given nodes [op, inputs, output] and initializers. */
function model(nodes: [string, string[], string][], initializers: string[], opset = 17): Uint8Array {
  return new ProtoWriter()
    .int(1, 8)
    .message(7, (g) => {
      for (const [op, inputs, output] of nodes) g.message(1, (n) => (inputs.forEach((i) => n.string(1, i)), n.string(2, output).string(4, op)));
      for (const name of initializers) g.message(5, (t) => t.int(1, 4).int(2, 1).string(8, name).bytes(9, new Uint8Array(16)));
      g.message(11, (v) => v.string(1, 'input_ids'));
      g.message(12, (v) => v.string(1, 'logits'));
    })
    .message(8, (o) => o.string(1, '').int(2, opset))
    .finish();
}

describe('addLogitsRows', () => {
  it('leaves a graph that already has num_logits_to_keep alone', async () => {
    const bytes = await readFile(path.join(TINY_LLAMA_DIR, 'onnx', 'model.onnx'));
    expect(addLogitsRows(bytes)).toEqual({ skipped: 'has-keep-input' });
  });

  it('finds the projection through casts, with the weight on either side, and refuses what it cannot be sure of', () => {
    const cast = model([['MatMul', ['hidden', 'lm_head.weight'], 'raw'], ['Cast', ['raw'], 'logits']], ['lm_head.weight']);
    expect(addLogitsRows(cast)).toMatchObject({ projection: 'MatMul hidden' });
    // A tied embedding: the weight is a Transpose of an initializer, as the first input.
    const tied = model([['Transpose', ['wte'], 'wte_t'], ['MatMul', ['wte_t', 'hidden'], 'logits']], ['wte']);
    expect(addLogitsRows(tied)).toMatchObject({ projection: 'MatMul hidden' });
    // Two activations, a bias after the projection, or an op it does not know: left alone.
    expect(addLogitsRows(model([['MatMul', ['a', 'b'], 'logits']], []))).toEqual({ skipped: 'no-projection-found' });
    expect(addLogitsRows(model([['MatMul', ['h', 'w'], 'p'], ['Add', ['p', 'bias'], 'logits']], ['w', 'bias']))).toEqual({ skipped: 'no-projection-found' });
    expect(addLogitsRows(model([['Gemm', ['h', 'w'], 'logits']], ['w']))).toEqual({ skipped: 'no-projection-found' });
    expect(addLogitsRows(model([['MatMul', ['h', 'w'], 'logits']], ['w'], 9))).toEqual({ skipped: 'old-opset' });
  });

  it('adds the rows input and five nodes before the projection, and copies every weight byte for byte', async () => {
    const bytes = new Uint8Array(await readFile(path.join(TINY_GPT2_DIR, 'onnx', 'model.onnx')));
    const edit = addLogitsRows(bytes);
    if (!('model' in edit)) throw new Error(`not edited: ${edit.skipped}`);
    const before = summariseGraph(bytes);
    const after = summariseGraph(edit.model);
    expect(after.nodes.length).toBe(before.nodes.length + 5);
    expect(after.outputs).toEqual(before.outputs);
    expect(after.nodes.filter((n) => n.inputs.includes('/iprompt/logits_rows/hidden')).map((n) => n.opType)).toEqual(['MatMul']);
    const gather = after.nodes.find((n) => n.opType === 'Gather' && n.inputs.includes(LOGITS_ROWS_INPUT))!;
    expect(gather.inputs).toEqual(['/iprompt/logits_rows/flat', LOGITS_ROWS_INPUT]);
    // The weights are copied, not re-encoded: a 16 KB run from the middle of the file (inside the
    // weights) appears unchanged, and the edit adds well under a kilobyte.
    const middle = Buffer.from(bytes.subarray(bytes.length / 2 - 8192, bytes.length / 2 + 8192));
    expect(Buffer.from(edit.model).indexOf(middle)).toBeGreaterThan(0);
    expect(edit.model.length - bytes.length).toBeGreaterThan(0);
    expect(edit.model.length - bytes.length).toBeLessThan(1000);
  });
});
