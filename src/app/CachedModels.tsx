/** Models kept in this browser's Cache Storage, with their size; each can be deleted. */
import { useCallback, useEffect, useState } from 'react';
import { deleteCachedModel, listCachedModels, type CachedModel } from '../engine/download.ts';
import { useEngineStore } from './engineStore.ts';
import { formatBytes } from '../util/format.ts';
import { askPersistence } from './storage.ts';

export function CachedModels() {
  const [models, setModels] = useState<CachedModel[]>([]);
  const status = useEngineStore((s) => s.status);
  const refresh = useCallback(() => {
    listCachedModels().then((list) => {
      setModels(list);
      // A model was kept: ask the browser not to clear it under storage pressure.
      if (list.length > 0) void askPersistence();
    }, () => setModels([]));
  }, []);
  // A finished load may have added files.
  useEffect(refresh, [refresh, status]);
  if (models.length === 0) return null;
  return (
    <div className="cached" data-testid="cached-models">
      <h3>Kept in this browser</h3>
      <ul>
        {models.map((m) => (
          <li key={m.prefix} data-testid="cached-model">
            <span data-testid="cached-label">{m.label}</span> · {formatBytes(m.bytes)} · {m.files.length} files{' '}
            <button data-testid="cached-delete" onClick={() => void deleteCachedModel(m.prefix).then(refresh)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
