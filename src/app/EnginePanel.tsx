/** Model loading, the backend the engine got (and why), and a one-line generation test. */
import { useState } from 'react';
import type { BackendRequest } from '../engine/backend.ts';
import type { ModelSource } from '../engine/modelSource.ts';
import { useEngineStore } from './engineStore.ts';
import { formatBytes, formatMs } from '../util/format.ts';
import type { useEngine } from './useEngine.ts';

export function LoadProgressBar() {
  const progress = useEngineStore((s) => s.progress);
  if (!progress) return null;
  const pct = progress.total ? Math.min(100, (100 * progress.loaded) / progress.total) : null;
  return (
    <div className="progress" data-testid="load-progress">
      <progress max={100} value={pct ?? undefined} aria-label="model download" />
      <span>
        {formatBytes(progress.loaded)} / {formatBytes(progress.total)}
      </span>
      <ul className="files">
        {progress.files.map((f) => (
          <li key={f.file}>
            {f.file}: {formatBytes(f.loaded)} / {formatBytes(f.total)}
            {f.fromCache ? ' (cache)' : ''}
            {f.done ? ' ✓' : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function BackendInfo() {
  const model = useEngineStore((s) => s.model);
  if (!model) return null;
  const b = model.backend;
  return (
    <dl className="backend" data-testid="backend-info">
      <dt>Model</dt>
      <dd data-testid="model-name">
        {model.name} · {model.modelType} · {model.dtype} ({model.graphFile}, {formatBytes(model.bytes)})
      </dd>
      <dt>Backend</dt>
      <dd data-testid="backend">{b.backend === 'webgpu' ? 'WebGPU' : 'WASM'}</dd>
      <dt>Runtime</dt>
      <dd data-testid="runtime">onnxruntime-web ({model.runtime ?? 'default'} build)</dd>
      {b.adapter && (
        <>
          <dt>Adapter</dt>
          <dd data-testid="adapter">
            {b.adapter.vendor || 'unknown vendor'} {b.adapter.architecture} {b.adapter.description}
            {b.adapter.isFallbackAdapter ? ' (software fallback adapter)' : ''} · shader-f16: {b.shaderF16 ? 'yes' : 'no'}
          </dd>
        </>
      )}
      {b.backend === 'wasm' && (
        <>
          <dt>Threads</dt>
          <dd data-testid="threads">{b.threads}</dd>
        </>
      )}
      {b.reason && (
        <>
          <dt>Why</dt>
          <dd data-testid="backend-reason">{b.reason}</dd>
        </>
      )}
      <dt>Load</dt>
      <dd>
        {formatMs(model.loadMs)} (warm-up {formatMs(model.warmupMs)})
      </dd>
    </dl>
  );
}

export function ErrorBox() {
  const error = useEngineStore((s) => s.error);
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="engine-error" data-code={error.code}>
      <strong>{error.code}</strong>: {error.message}
      <div className="remedy">{error.remedy}</div>
    </div>
  );
}

function pickedSource(list: FileList | null): ModelSource | null {
  if (!list || list.length === 0) return null;
  return { kind: 'files', files: [...list].map((f) => ({ path: f.webkitRelativePath || f.name, blob: f })) };
}

export function EnginePanel({ engine, defaultModel, locked = false }: { engine: ReturnType<typeof useEngine>; defaultModel: string; locked?: boolean }) {
  const status = useEngineStore((s) => s.status);
  const completion = useEngineStore((s) => s.completion);
  const [backend, setBackend] = useState<BackendRequest>('auto');
  const [prompt, setPrompt] = useState('Given the input numbers 3 and 4, the answer is');
  const [seed, setSeed] = useState(1);

  return (
    <section className="panel">
      <h2>Language model</h2>
      <div className="row">
        <label>
          Backend{' '}
          <select data-testid="backend-select" value={backend} onChange={(e) => setBackend(e.target.value as BackendRequest)}>
            <option value="auto">auto</option>
            <option value="wasm">WASM</option>
            <option value="webgpu">WebGPU</option>
          </select>
        </label>
        <button data-testid="load" disabled={status === 'loading' || locked} title={locked ? 'A search is running on this model' : undefined} onClick={() => void engine.load({ kind: 'shipped', name: defaultModel }, backend)}>
          Load {defaultModel}
        </button>
        <label className="file-pick">
          or a model folder from disk{' '}
          <input
            type="file"
            data-testid="pick-folder"
            // A folder in the Hugging Face ONNX layout; its files stay in this tab.
            {...{ webkitdirectory: '', directory: '' }}
            multiple
            onChange={(e) => {
              const source = pickedSource(e.currentTarget.files);
              e.currentTarget.value = '';
              if (source) void engine.load(source, backend);
            }}
          />
        </label>
        {status === 'loading' && (
          <button data-testid="cancel-load" onClick={engine.cancelLoad}>
            Cancel
          </button>
        )}
        <span data-testid="status" className={`status ${status}`}>
          {status}
        </span>
      </div>
      <LoadProgressBar />
      <ErrorBox />
      <BackendInfo />
      <h3>Try the model</h3>
      <div className="row">
        <input data-testid="prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)} size={60} />
        <label>
          seed <input type="number" data-testid="seed" value={seed} onChange={(e) => setSeed(Number(e.target.value))} style={{ width: '5em' }} />
        </label>
        <button data-testid="generate" disabled={status !== 'ready'} onClick={() => void engine.complete(prompt, { max_new_tokens: 16, seed, temperature: 1 })}>
          Generate
        </button>
      </div>
      {completion && (
        <p className="completion" data-testid="completion">
          <span className="prompt-text">{completion.prompt}</span>
          <mark data-testid="completion-text">{completion.text}</mark>
          <small>
            {' '}
            ({formatMs(completion.ms)}, {completion.tokensPerSecond.toFixed(1)} tokens/s)
          </small>
        </p>
      )}
    </section>
  );
}
