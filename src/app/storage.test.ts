import { describe, expect, it } from 'vitest';
import { quotaMessage, storageAdvice, storageSummary } from './storage.ts';

const MB = 1024 * 1024;

describe('storage figures for a person', () => {
  it('says what is kept, how much room there is, and whether the browser may clear it', () => {
    expect(storageSummary({ usage: 30 * MB, quota: 1000 * MB, caches: 28 * MB, indexedDB: 2 * MB, persisted: false })).toBe(
      'This app keeps 30 MB in this browser (models 28 MB, saved runs and data 2.0 MB), of 1000 MB it may use. The browser may clear it when the disk runs low on space.',
    );
    expect(storageSummary({ usage: 5 * MB, quota: 10 * MB, persisted: true })).toBe('This app keeps 5.0 MB in this browser, of 10 MB it may use. The browser keeps it until you delete it.');
  });

  it('names what to delete, biggest first, once nine tenths of the quota are used, and not before', () => {
    expect(storageAdvice({ usage: 89 * MB, quota: 100 * MB, caches: 80 * MB, indexedDB: 9 * MB, persisted: true })).toBeNull();
    expect(storageAdvice({ usage: 95 * MB, quota: 100 * MB, caches: 80 * MB, indexedDB: 15 * MB, persisted: true })).toBe(
      'Storage is 95% full: delete cached models (in the language model panel), 80 MB, or old runs (in the history), 15 MB, to make room.',
    );
    expect(storageAdvice({ usage: 95 * MB, quota: 100 * MB, caches: 5 * MB, indexedDB: 90 * MB, persisted: true })).toMatch(/^Storage is 95% full: delete old runs \(in the history\), 90 MB, or cached models/);
    expect(quotaMessage('this run')).toContain('Delete cached models in the language model panel or old runs in the history');
  });
});
