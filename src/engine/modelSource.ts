/**
 * Where a model comes from, and how its files are named. The layout is the Hugging Face ONNX one
 * (onnx-community, transformers.js exports): config and tokenizer files at the top, graphs in onnx/.
 */
export type ModelSource =
  /** A model id on a hub; `baseUrl` is a template with {id} and {file} (default: huggingface.co). */
  | { kind: 'hub'; id: string; baseUrl?: string }
  /** A model folder the app ships under public/models/<name>/ (a URL in the browser, a path in Node). */
  | { kind: 'shipped'; name: string }
  /** Files the user picked from disk (browser), named by their path inside the model folder. */
  | { kind: 'files'; files: { path: string; blob: Blob }[] }
  /** A folder on disk (Node only: the command line and tests). */
  | { kind: 'folder'; path: string };

export const DEFAULT_HUB_URL = 'https://huggingface.co/{id}/resolve/main/{file}';

/** Weight formats and the graph file each one uses in the onnx-community layout. */
export type Dtype = 'fp32' | 'fp16' | 'q4' | 'q4f16' | 'q8';

export const DTYPE_FILES: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q4: 'onnx/model_q4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
  q8: 'onnx/model_quantized.onnx',
};

/**
 * Older exports (optimum's merged decoder, Xenova/* repositories) name the same formats
 * decoder_model_merged*.onnx; the loader looks for these when the model*.onnx file is absent.
 */
export const MERGED_DTYPE_FILES: Record<Dtype, string> = {
  fp32: 'onnx/decoder_model_merged.onnx',
  fp16: 'onnx/decoder_model_merged_fp16.onnx',
  q4: 'onnx/decoder_model_merged_q4.onnx',
  q4f16: 'onnx/decoder_model_merged_q4f16.onnx',
  q8: 'onnx/decoder_model_merged_quantized.onnx',
};

/** Dtypes that need the WebGPU `shader-f16` feature. */
export const F16_DTYPES: ReadonlySet<Dtype> = new Set(['fp16', 'q4f16']);

export const REQUIRED_FILES = ['config.json', 'tokenizer.json'] as const;
export const OPTIONAL_FILES = ['generation_config.json', 'tokenizer_config.json'] as const;

export function describeSource(src: ModelSource): string {
  switch (src.kind) {
    case 'hub':
      return src.id;
    case 'shipped':
      return `${src.name} (shipped)`;
    case 'files':
      return `local files (${src.files.length})`;
    case 'folder':
      return src.path;
  }
}

/** Per-file and overall byte progress of a model load. `total` is null until every size is known. */
export interface FileProgress {
  file: string;
  loaded: number;
  total: number | null;
  fromCache: boolean;
  done: boolean;
}
export interface LoadProgress {
  loaded: number;
  total: number | null;
  files: FileProgress[];
}
