/**
 * The data slice: the pairs the search will explain, where they came from, and the draft the
 * person is editing. A parse that fails sets `error` and leaves the previous pairs in place.
 */
import { create } from 'zustand';
import type { DataFormat, RowProblem } from '../../data/parsePairs.ts';

export interface Pairs {
  inputs: string[];
  outputs: string[];
}

export type DataOrigin = { kind: 'paste' } | { kind: 'file'; name: string; format: DataFormat } | { kind: 'suite'; task: string };

export interface DataError {
  message: string;
  line?: number;
  code?: string;
}

export interface DataState {
  /** The pasted text being edited (kept even when it does not parse). */
  draft: string;
  pairs: Pairs | null;
  origin: DataOrigin | null;
  name: string;
  /** Columns of the last table (file) and the chosen ones, for the column pickers. */
  columns: string[];
  inputColumn: string | null;
  outputColumn: string | null;
  rowProblems: RowProblem[];
  error: DataError | null;
  parsing: boolean;
  set: (patch: Partial<Omit<DataState, 'set'>>) => void;
}

export const useDataStore = create<DataState>((set) => ({
  draft: '',
  pairs: null,
  origin: null,
  name: '',
  columns: [],
  inputColumn: null,
  outputColumn: null,
  rowProblems: [],
  error: null,
  parsing: false,
  set: (patch) => set(patch),
}));
