/**
 * The onnxruntime API the engine uses, taken as a parameter rather than imported, so the same
 * engine runs on onnxruntime-web (browser worker and Node) and on onnxruntime-node (the native
 * reference in the benchmark). Only the worker and the command line import a runtime.
 */
import type * as OrtWeb from 'onnxruntime-web';

export type Ort = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor' | 'env'>;
export type OrtSession = OrtWeb.InferenceSession;
export type OrtTensor = OrtWeb.Tensor;
export type SessionOptions = OrtWeb.InferenceSession.SessionOptions;
