/**
 * The small hub models the app offers, in one typed list. Sizes are the download sizes of each
 * weight file (graph plus external data) as the repositories list them, in decimal megabytes
 * (where a size could not be confirmed from a public listing it is marked as an estimate);
 * `recommended` is the weight format the app picks per backend. docs/models.md gives the sources,
 * the export style of each model and the replica that covers it.
 */
import type { BackendChoice } from './backend.ts';
import { variantFits } from './memoryBudget.ts';
import type { Dtype } from './modelSource.ts';

export interface CatalogueModel {
  id: string;
  label: string;
  params: string;
  licence: string;
  /** Bytes of the graph (+ external data) per weight format the repository has. */
  sizes: Partial<Record<Dtype, number>>;
  /** Formats whose size is an estimate rather than read off the repository's listing. */
  estimated?: Dtype[];
  recommended: { wasm: Dtype; webgpu: Dtype };
  note?: string;
}

const MB = 1_000_000;

export const CATALOGUE: readonly CatalogueModel[] = [
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    label: 'SmolLM2 135M Instruct',
    params: '135M',
    licence: 'Apache-2.0',
    sizes: { fp32: 654 * MB, fp16: 327 * MB, q4: 200 * MB, q4f16: 134 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    label: 'SmolLM2 360M Instruct',
    params: '360M',
    licence: 'Apache-2.0',
    sizes: { fp32: 1640 * MB, fp16: 819 * MB, q4: 417 * MB, q4f16: 299 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    label: 'Qwen2.5 0.5B Instruct',
    params: '494M',
    licence: 'Apache-2.0',
    sizes: { fp32: 1990 * MB, fp16: 997 * MB, q8: 512 * MB, q4: 786 * MB, q4f16: 483 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
  {
    id: 'onnx-community/Qwen3-0.6B-ONNX',
    label: 'Qwen3 0.6B',
    params: '596M',
    licence: 'Apache-2.0',
    sizes: { fp32: 2390 * MB, fp16: 1200 * MB, q4: 919 * MB, q4f16: 570 * MB },
    estimated: ['fp32', 'fp16'],
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
    note: 'Switch thinking off in chat use; iPrompt scores plain text.',
  },
  {
    id: 'onnx-community/Llama-3.2-1B-Instruct',
    label: 'Llama 3.2 1B Instruct',
    params: '1.24B',
    licence: 'Llama 3.2 Community License',
    sizes: { fp32: 4940 * MB, fp16: 2470 * MB, q8: 1240 * MB, q4: 1660 * MB, q4f16: 1070 * MB },
    recommended: { wasm: 'q4', webgpu: 'q4f16' },
  },
];

export function catalogueEntry(id: string): CatalogueModel | undefined {
  return CATALOGUE.find((m) => m.id === id);
}

/** The formats of a catalogue model, each with its size and whether it fits the backend's memory. */
export function catalogueVariants(model: CatalogueModel, backend: BackendChoice): { dtype: Dtype; bytes: number; fits: boolean; estimated: boolean }[] {
  return (Object.entries(model.sizes) as [Dtype, number][]).map(([dtype, bytes]) => ({
    dtype,
    bytes,
    fits: variantFits(bytes, backend),
    estimated: model.estimated?.includes(dtype) ?? false,
  }));
}
