/**
 * The engine slice of the UI state: which model, how far its load is, what backend it got, and
 * the last error. Components read it through selectors; only useEngine() calls its actions.
 */
import { create } from 'zustand';
import type { SerializedEngineError } from '../engine/errors.ts';
import type { BackendRequest } from '../engine/backend.ts';
import type { LoadProgress, ModelSource } from '../engine/modelSource.ts';
import type { ModelSummary } from '../worker/protocol.ts';

export type EngineStatus = 'idle' | 'loading' | 'ready' | 'busy' | 'error';

export interface EngineData {
  status: EngineStatus;
  backendRequest: BackendRequest;
  progress: LoadProgress | null;
  model: ModelSummary | null;
  /** Where the loaded model came from (for permalinks and history). */
  source: ModelSource | null;
  error: SerializedEngineError | null;
  completion: { prompt: string; text: string; ms: number; tokensPerSecond: number } | null;
}

export interface EngineActions {
  loadStarted: (backendRequest: BackendRequest) => void;
  loadProgressed: (progress: LoadProgress) => void;
  loaded: (model: ModelSummary, source: ModelSource) => void;
  /** A failed load keeps the model that was there (and its status, if there was one). */
  loadFailed: (error: SerializedEngineError) => void;
  completionStarted: () => void;
  completed: (completion: NonNullable<EngineData['completion']>) => void;
  completionFailed: (error: SerializedEngineError) => void;
}

export type EngineState = EngineData & EngineActions;

export const useEngineStore = create<EngineState>((set, get) => ({
  status: 'idle',
  backendRequest: 'auto',
  progress: null,
  model: null,
  source: null,
  error: null,
  completion: null,
  loadStarted: (backendRequest) => set({ status: 'loading', progress: null, error: null, backendRequest }),
  loadProgressed: (progress) => set({ progress }),
  loaded: (model, source) => set({ status: 'ready', model, source, progress: null }),
  loadFailed: (error) => set({ status: get().model ? 'ready' : 'error', error, progress: null }),
  completionStarted: () => set({ status: 'busy', error: null }),
  completed: (completion) => set({ status: 'ready', completion }),
  completionFailed: (error) => set({ status: 'ready', error }),
}));
