/**
 * Failures that cross the worker boundary. Each carries a code the UI can switch on and a remedy a
 * person can act on; raw runtime errors are translated here, never shown as they are.
 */
export type EngineErrorCode =
  | 'NO_WEBGPU'
  | 'NO_F16'
  | 'OUT_OF_MEMORY'
  | 'DEVICE_LOST'
  | 'QUOTA'
  | 'NETWORK'
  | 'BAD_MODEL'
  | 'ABORTED'
  | 'BAD_DATA'
  | 'BUSY'
  | 'SERVER'
  | 'INTERNAL';

const REMEDIES: Record<EngineErrorCode, string> = {
  NO_WEBGPU: 'This browser exposes no WebGPU adapter. Choose the WASM backend, or enable WebGPU (Chrome/Edge 113+).',
  NO_F16: 'The GPU lacks the shader-f16 feature these weights need. Pick q4 or fp32 weights, or the WASM backend.',
  OUT_OF_MEMORY: 'The model does not fit in memory. Pick a smaller model or quantized weights, or lower the batch size.',
  DEVICE_LOST: 'The GPU device was lost (driver reset or tab in background). Reload the model to continue.',
  QUOTA: 'Browser storage is full. Delete cached models or free disk space, then load again.',
  NETWORK: 'A download failed. Check the connection and the model address, then load again; finished files are kept.',
  BAD_MODEL: 'A model file is missing or unreadable. Check that the folder has the Hugging Face ONNX layout.',
  ABORTED: 'The operation was cancelled.',
  BAD_DATA: 'Fix the data or the setting named in the message and run again; nothing was lost.',
  BUSY: 'The model is in use by a running search. Stop the search (or let it finish), then load again; the search is not affected.',
  SERVER: 'The model server refused or failed the request; the message says what it needs.',
  INTERNAL: 'An unexpected error. Reload the page; if it happens again, report it with this message.',
};

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly remedy: string;
  /** The model file the error is about, where there is one (BAD_MODEL, NETWORK). */
  readonly file?: string;

  constructor(code: EngineErrorCode, message: string, opts: { file?: string; remedy?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'EngineError';
    this.code = code;
    this.remedy = opts.remedy ?? REMEDIES[code];
    this.file = opts.file;
  }

  toJSON(): SerializedEngineError {
    return { code: this.code, message: this.message, remedy: this.remedy, file: this.file };
  }
}

export interface SerializedEngineError {
  code: EngineErrorCode;
  message: string;
  remedy: string;
  file?: string;
}

export function isAbort(err: unknown): boolean {
  return (
    (err instanceof EngineError && err.code === 'ABORTED') ||
    (typeof err === 'object' && err !== null && (err as { name?: string }).name === 'AbortError')
  );
}

/** Translate anything thrown by onnxruntime, fetch or the browser into an EngineError. */
export function toEngineError(err: unknown, context: { file?: string } = {}): EngineError {
  if (err instanceof EngineError) return err;
  if (isAbort(err)) return new EngineError('ABORTED', 'Cancelled.');
  const message = err instanceof Error ? err.message : String(err);
  const name = typeof err === 'object' && err !== null ? (err as { name?: string }).name : undefined;
  // A vLLM server's refusal (src/remote): its own remedy names the flag or setting that fixes it.
  if (name === 'RemoteError') return new EngineError('SERVER', message, { remedy: (err as { remedy?: string }).remedy, cause: err });
  // The search's own input checks (iprompt DataError, OptionsError and DescribeError, the parsers' DataParseError).
  if (name === 'DataError' || name === 'OptionsError' || name === 'DataParseError' || name === 'DescribeError') {
    return new EngineError('BAD_DATA', message, { cause: err });
  }
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return new EngineError('QUOTA', `Storage quota exceeded: ${message}`, { cause: err });
  }
  if (/out of memory|bad_alloc|memory access out of bounds|Array buffer allocation failed|could not allocate/i.test(message)) {
    return new EngineError('OUT_OF_MEMORY', `Out of memory: ${message}`, { cause: err });
  }
  if (/device (was )?lost|GPUDevice.*lost/i.test(message)) {
    return new EngineError('DEVICE_LOST', `GPU device lost: ${message}`, { cause: err });
  }
  if (context.file) {
    return new EngineError('BAD_MODEL', `${context.file}: ${message}`, { file: context.file, cause: err });
  }
  return new EngineError('INTERNAL', message, { cause: err });
}
