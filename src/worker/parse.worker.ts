/// <reference lib="webworker" />
/**
 * Parses uploaded files off the main thread: a 20 MB CSV takes a few hundred milliseconds to
 * parse, which would freeze the page. Errors cross as plain objects (DataParseError.toJSON()).
 */
import { DataParseError, parsePairs, type ParseOptions } from '../data/parsePairs.ts';

declare const self: DedicatedWorkerGlobalScope;

export interface ParseRequest {
  id: number;
  bytes: Uint8Array;
  options: ParseOptions;
}

self.onmessage = (e: MessageEvent<ParseRequest>) => {
  const { id, bytes, options } = e.data;
  try {
    const result = parsePairs(bytes, options);
    self.postMessage({ id, ok: true, result });
  } catch (err) {
    const error = err instanceof DataParseError ? err.toJSON() : { code: 'INTERNAL', message: (err as Error).message };
    self.postMessage({ id, ok: false, error });
  }
};
