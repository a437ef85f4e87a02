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

/** The data slice's actions. */
const store = () => useDataStore.getState();

export function useData() {
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

  const setDraft = useCallback(
    (text: string) => {
      store().editDraft(text);
      if (pasteTimer.current) clearTimeout(pasteTimer.current);
      pasteTimer.current = setTimeout(() => {
        if (text.trim() === '') return;
        try {
          store().parsed(parsePairs(text, { format: 'pasted' }), { kind: 'paste' }, 'pasted pairs');
        } catch (err) {
          const e = err as DataParseError;
          store().parseFailed({ message: e.message, line: e.line, code: e.code });
        }
      }, 250);
    },
    [],
  );

  const parseFile = useCallback(
    async (bytes: Uint8Array, name: string, columns: { inputColumn?: string; outputColumn?: string } = {}) => {
      store().parseStarted();
      const reply = await parseInWorker(bytes, { fileName: name, ...columns });
      if (reply.ok) store().parsed(reply.result, { kind: 'file', name, format: reply.result.format }, name);
      else store().parseFailed({ message: `${name}: ${reply.error.message}`, line: reply.error.line, code: reply.error.code });
    },
    [parseInWorker],
  );

  const loadFile = useCallback(
    async (file: File) => {
      if (file.size > DEFAULT_MAX_BYTES) {
        store().parseFailed({ code: 'TOO_LARGE', message: `${file.name} is ${formatBytes(file.size)}; files up to ${formatBytes(DEFAULT_MAX_BYTES)} can be read.` });
        return;
      }
      store().parseStarted();
      const bytes = new Uint8Array(await file.arrayBuffer());
      lastFile.current = { bytes, name: file.name };
      await parseFile(bytes, file.name);
    },
    [parseFile],
  );

  const chooseColumns = useCallback(
    async (inputColumn: string, outputColumn: string) => {
      if (lastFile.current) await parseFile(lastFile.current.bytes, lastFile.current.name, { inputColumn, outputColumn });
    },
    [parseFile],
  );

  const pickTask = useCallback(
    (taskId: string) => {
      store().loadPairs(taskPairs(taskId), taskId, { kind: 'suite', task: taskId });
    },
    [],
  );

  return useMemo(() => ({ setDraft, loadFile, chooseColumns, pickTask }), [setDraft, loadFile, chooseColumns, pickTask]);
}
