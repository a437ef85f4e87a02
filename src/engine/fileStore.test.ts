import { describe, expect, it } from 'vitest';
import { blobStore } from './fileStore.ts';
import { externalDataFiles } from './chooseWeights.ts';

const blob = (s: string) => new Blob([s]);

describe('blobStore (files picked from disk)', () => {
  it('strips the picked folder name and reports byte progress', async () => {
    const store = blobStore([
      { path: 'my-model/config.json', blob: blob('{}') },
      { path: 'my-model/onnx/model_q4.onnx', blob: blob('graph!') },
    ]);
    const seen: number[] = [];
    const got = await store.fetch([{ file: 'config.json' }, { file: 'onnx/model_q4.onnx' }, { file: 'generation_config.json', optional: true }], { onProgress: (p) => seen.push(p.loaded) });
    expect([...got.keys()]).toEqual(['config.json', 'onnx/model_q4.onnx']);
    expect(new TextDecoder().decode(got.get('onnx/model_q4.onnx'))).toBe('graph!');
    expect(seen.at(-1)).toBe(8);
  });

  it('files picked one by one: graphs belong in onnx/', async () => {
    const store = blobStore([{ path: 'config.json', blob: blob('{}') }, { path: 'model.onnx', blob: blob('g') }, { path: 'model.onnx_data', blob: blob('d') }]);
    const got = await store.fetch([{ file: 'onnx/model.onnx' }, { file: 'onnx/model.onnx_data' }], {});
    expect(got.size).toBe(2);
  });

  it('a missing required file is BAD_MODEL naming it and listing what was picked', async () => {
    const store = blobStore([{ path: 'm/config.json', blob: blob('{}') }]);
    await expect(store.fetch([{ file: 'tokenizer.json' }], {})).rejects.toMatchObject({ code: 'BAD_MODEL', file: 'tokenizer.json', message: expect.stringContaining('config.json') });
  });
});

describe('externalDataFiles', () => {
  it('finds the data files a graph names, and none where it names none', () => {
    const bytes = new TextEncoder().encode('....location\u0012\u000fmodel.onnx_data....model.onnx_data_1..');
    expect(externalDataFiles(bytes, 'onnx/model.onnx')).toEqual(['model.onnx_data', 'model.onnx_data_1']);
    expect(externalDataFiles(bytes, 'onnx/model_q4.onnx')).toEqual([]);
  });
});
