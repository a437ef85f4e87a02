/**
 * Data actions: pasted text (parsed on the main thread, debounced: it is small), uploaded files
 * (parsed in a worker: a 20 MB file would freeze the page), and the task suite. A failed parse
 * reports its error and keeps the pairs that were there.
 */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { DataParseError, DEFAULT_MAX_BYTES, parsePairs, type ParsedPairs, type ParseOptions } from '../data/parsePairs.ts';
import { taskPairs } from '../datasets/tasks/index.ts';
import { formatBytes } from '../util/format.ts';
import { useDataStore } from './state/dataStore.ts';

type ParseReply = { id: number; ok: true; result: ParsedPairs } | { id: number; ok: false; error: { code: string; message: string; line?: number } };

export function useData() {
  const set = useDataStore((s) => s.set);
  const worker = useRef<Worker | null>(null);
  const lastFile = useRef<{ bytes: Uint8Array; name: string } | null>(null);
  const seq = useRef(0);
  const pasteTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => worker.current?.terminate(), []);

  const parseInWorker = useCallback((bytes: Uint8Array, options: ParseOptions): Promise<ParseReply> => {
    worker.current ??= new Worker(new URL('../worker/parse.worker.ts', import.meta.url), { type: 'module' });
    const id = ++seq.current;
    const w = worker.current;
    return new Promise((resolve) => {
      const onMessage = (e: MessageEvent<ParseReply>) => {
        if (e.data.id !== id) return;
        w.removeEventListener('message', onMessage);
        resolve(e.data);
      };
      w.addEventListener('message', onMessage);
      // A copy goes over: the original stays for re-parsing with other columns.
      w.postMessage({ id, bytes: bytes.slice(), options });
    });
  }, []);

  const applyParsed = useCallback(
    (p: ParsedPairs, origin: Parameters<typeof set>[0]['origin'], name: string) => {
      set({ pairs: { inputs: p.inputs, outputs: p.outputs }, origin, name, columns: p.columns, inputColumn: p.inputColumn, outputColumn: p.outputColumn, rowProblems: p.rowProblems, error: null, parsing: false });
    },
    [set],
  );

  const setDraft = useCallback(
    (text: string) => {
      set({ draft: text });
      if (pasteTimer.current) clearTimeout(pasteTimer.current);
      pasteTimer.current = setTimeout(() => {
        if (text.trim() === '') return;
        try {
          applyParsed(parsePairs(text, { format: 'pasted' }), { kind: 'paste' }, 'pasted pairs');
        } catch (err) {
          const e = err as DataParseError;
          set({ error: { message: e.message, line: e.line, code: e.code } });
        }
      }, 250);
    },
    [set, applyParsed],
  );

  const parseFile = useCallback(
    async (bytes: Uint8Array, name: string, columns: { inputColumn?: string; outputColumn?: string } = {}) => {
      set({ parsing: true, error: null });
      const reply = await parseInWorker(bytes, { fileName: name, ...columns });
      if (reply.ok) applyParsed(reply.result, { kind: 'file', name, format: reply.result.format }, name);
      else set({ parsing: false, error: { message: `${name}: ${reply.error.message}`, line: reply.error.line, code: reply.error.code } });
    },
    [set, parseInWorker, applyParsed],
  );

  const loadFile = useCallback(
    async (file: File) => {
      if (file.size > DEFAULT_MAX_BYTES) {
        set({ error: { code: 'TOO_LARGE', message: `${file.name} is ${formatBytes(file.size)}; files up to ${formatBytes(DEFAULT_MAX_BYTES)} can be read.` } });
        return;
      }
      set({ parsing: true, error: null });
      const bytes = new Uint8Array(await file.arrayBuffer());
      lastFile.current = { bytes, name: file.name };
      await parseFile(bytes, file.name);
    },
    [set, parseFile],
  );

  const chooseColumns = useCallback(
    async (inputColumn: string, outputColumn: string) => {
      if (lastFile.current) await parseFile(lastFile.current.bytes, lastFile.current.name, { inputColumn, outputColumn });
    },
    [parseFile],
  );

  const pickTask = useCallback(
    (taskId: string) => {
      const d = taskPairs(taskId);
      set({ pairs: d, origin: { kind: 'suite', task: taskId }, name: taskId, columns: [], inputColumn: null, outputColumn: null, rowProblems: [], error: null });
    },
    [set],
  );

  return useMemo(() => ({ setDraft, loadFile, chooseColumns, pickTask }), [setDraft, loadFile, chooseColumns, pickTask]);
}
