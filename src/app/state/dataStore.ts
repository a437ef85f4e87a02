/**
 * The data slice: the pairs the search will explain, where they came from, and the draft the
 * person is editing. A parse that fails sets `error` and leaves the previous pairs in place.
 * Written through the named actions below.
 */
import { create } from 'zustand';
import type { DataFormat, ParsedPairs, RowProblem } from '../../data/parsePairs.ts';

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

export interface DataData {
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
}

export interface DataActions {
  editDraft: (draft: string) => void;
  parseStarted: () => void;
  /** Parsed pairs replace the previous ones, with the columns they came from. */
  parsed: (p: ParsedPairs, origin: DataOrigin, name: string) => void;
  /** A failed parse or a refused file: the message, and the pairs that were there stay. */
  parseFailed: (error: DataError) => void;
  /** Pairs that arrive whole (a suite task, a link, a run to resume): no columns, no problems. */
  loadPairs: (pairs: Pairs, name: string, origin: DataOrigin | null) => void;
  /** What was being edited before a reload, unless something was loaded in the meantime. */
  restoreDraft: (saved: { draft: string; pairs: Pairs | null; name: string; origin: DataOrigin | null }) => void;
}

export type DataState = DataData & DataActions;

export const useDataStore = create<DataState>((set, get) => ({
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
  editDraft: (draft) => set({ draft }),
  parseStarted: () => set({ parsing: true, error: null }),
  parsed: (p, origin, name) => set({ pairs: { inputs: p.inputs, outputs: p.outputs }, origin, name, columns: p.columns, inputColumn: p.inputColumn, outputColumn: p.outputColumn, rowProblems: p.rowProblems, error: null, parsing: false }),
  parseFailed: (error) => set({ error, parsing: false }),
  loadPairs: (pairs, name, origin) => set({ pairs, origin, name, columns: [], inputColumn: null, outputColumn: null, rowProblems: [], error: null, parsing: false }),
  restoreDraft: (saved) => {
    if (get().pairs || get().draft) return;
    set({ draft: saved.draft, pairs: saved.pairs, name: saved.name, origin: saved.origin });
  },
}));
