/**
 * The small hub models the app offers, in one typed list. Sizes are approximate download sizes
 * of each weight file in the onnx-community layout (the exact size shows while downloading);
 * `recommended` is the weight format the app picks per backend.
 */
import type { Dtype } from './modelSource.ts';

export interface CatalogueModel {
  id: string;
  label: string;
  params: string;
  licence: string;
  /** Approximate bytes of the graph (+ external data) per weight format. */
  sizes: Partial<Record<Dtype, number>>;
  recommended: { wasm: Dtype; webgpu: Dtype };
  note?: string;
}

const MB = 1024 * 1024;

export const CATALOGUE: readonly CatalogueModel[] = [
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    label: 'SmolLM2 135M Instruct',
    params: '135M',
    licence: 'Apache-2.0',
    sizes: { fp32: 540 * MB, fp16: 270 * MB, q8: 140 * MB, q4: 190 * MB, q4f16: 120 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    label: 'SmolLM2 360M Instruct',
    params: '360M',
    licence: 'Apache-2.0',
    sizes: { fp32: 1450 * MB, fp16: 725 * MB, q8: 370 * MB, q4: 390 * MB, q4f16: 270 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    label: 'Qwen2.5 0.5B Instruct',
    params: '494M',
    licence: 'Apache-2.0',
    sizes: { fp32: 1980 * MB, fp16: 990 * MB, q8: 500 * MB, q4: 790 * MB, q4f16: 480 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
  {
    id: 'onnx-community/Qwen3-0.6B-ONNX',
    label: 'Qwen3 0.6B',
    params: '596M',
    licence: 'Apache-2.0',
    sizes: { fp32: 2390 * MB, fp16: 1200 * MB, q8: 600 * MB, q4: 900 * MB, q4f16: 570 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
  {
    id: 'onnx-community/Llama-3.2-1B-Instruct',
    label: 'Llama 3.2 1B Instruct',
    params: '1.24B',
    licence: 'Llama 3.2 Community License',
    sizes: { fp32: 4940 * MB, fp16: 2470 * MB, q8: 1240 * MB, q4: 1800 * MB, q4f16: 1010 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
    note: 'Gated on the hub: accept the licence there first.',
  },
];
