/**
 * The engine slice of the UI state: which model, how far its load is, what backend it got, and
 * the last error. Components read it through selectors; only useEngine() writes to it.
 */
import { create } from 'zustand';
import type { SerializedEngineError } from '../engine/errors.ts';
import type { BackendRequest } from '../engine/backend.ts';
import type { LoadProgress, ModelSource } from '../engine/modelSource.ts';
import type { ModelSummary } from '../worker/protocol.ts';

export type EngineStatus = 'idle' | 'loading' | 'ready' | 'busy' | 'error';

export interface EngineState {
  status: EngineStatus;
  backendRequest: BackendRequest;
  progress: LoadProgress | null;
  model: ModelSummary | null;
  /** Where the loaded model came from (for permalinks and history). */
  source: ModelSource | null;
  error: SerializedEngineError | null;
  completion: { prompt: string; text: string; ms: number; tokensPerSecond: number } | null;
  set: (patch: Partial<Omit<EngineState, 'set'>>) => void;
}

export const useEngineStore = create<EngineState>((set) => ({
  status: 'idle',
  backendRequest: 'auto',
  progress: null,
  model: null,
  source: null,
  error: null,
  completion: null,
  set: (patch) => set(patch),
}));
