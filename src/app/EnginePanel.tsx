/** Model loading, the backend the engine got (and why), and a one-line generation test. */
import { useState } from 'react';
import type { BackendChoice, BackendRequest } from '../engine/backend.ts';
import { DEFAULT_HUB_URL, type ModelSource } from '../engine/modelSource.ts';
import { CATALOGUE, catalogueEntry, catalogueVariants } from '../engine/catalogue.ts';
import { CachedModels } from './CachedModels.tsx';
import { useEngineStore } from './engineStore.ts';
import { formatBytes, formatMs } from '../util/format.ts';
import type { useEngine } from './useEngine.ts';
import { countRender } from './renderCount.ts';
import { isServer } from '../worker/protocol.ts';
import type { ServerModelInfo } from '../remote/remoteModel.ts';

/** WASM's limits are the same everywhere, so the catalogue can mark what will not fit before any load. */
const WASM_CHECK: BackendChoice = { backend: 'wasm', adapter: null, shaderF16: false, threads: 1, crossOriginIsolated: true, reason: null };

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

/** A connected server: what runs where, and what leaves the tab. */
function ServerInfo({ model }: { model: ServerModelInfo }) {
  const s = model.server;
  return (
    <dl className="backend" data-testid="backend-info">
      <dt>Model</dt>
      <dd data-testid="model-name">{model.name} · on the vLLM server at {s.url}</dd>
      <dt>Tokenizer</dt>
      <dd data-testid="server-tokenizer-info">
        {s.tokenizerSource}, here in this tab;{' '}
        {s.tokenizerCheck === 'not possible' ? 'the server offered no way to check it against its own' : `the same as the server's (checked by its ${s.tokenizerCheck})`}
      </dd>
      {s.maxModelLen !== null && (
        <>
          <dt>Context</dt>
          <dd>{s.maxModelLen.toLocaleString()} tokens</dd>
        </>
      )}
      <dt>Your data</dt>
      <dd data-testid="server-data-notice">is sent to this server while a search or a try runs (every prompt and example scored); the search itself, the results and the history stay in this tab.</dd>
      <dt>Connect</dt>
      <dd>{formatMs(model.loadMs)}</dd>
    </dl>
  );
}

export function BackendInfo() {
  const model = useEngineStore((s) => s.model);
  if (!model) return null;
  if (isServer(model)) return <ServerInfo model={model} />;
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
      <dt>Logits</dt>
      <dd data-testid="logits-info">
        {model.logits.restricted === 'export'
          ? 'only where needed (the export has num_logits_to_keep)'
          : model.logits.restricted === 'added'
            ? `only where needed (the engine added a rows input before ${model.logits.projection})`
            : `at every position (${model.logits.reason})`}
      </dd>
      <dt>Shared prefixes</dt>
      <dd data-testid="prefix-info">
        {model.prefixReuse === 'batched'
          ? 'run once per group of rows that share them (the rest in one batched pass)'
          : model.prefixReuse === 'columns'
            ? 'run once per group of rows that share them (the rest one position per pass: GroupQueryAttention)'
            : 'run again for every row'}
      </dd>
      {model.nbits && (
        <>
          <dt>4-bit weights</dt>
          <dd data-testid="nbits-info">
            {model.nbits.expanded
              ? `expanded to float32 at load (${model.nbits.nodes} multiplies, ${formatBytes(model.nbits.floatBytes)}): WASM has no 4-bit kernel${model.nbits.kept.length ? `; ${model.nbits.kept.length} kept 4-bit` : ''}`
              : `kept 4-bit (${model.nbits.reason})`}
          </dd>
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

const HUB_URL_KEY = 'iprompt.hubUrl';
/** The server's address, model and key are kept in this browser (localStorage) only; runs and links never record the address or the key. */
const SERVER_KEYS = { url: 'iprompt.server.url', model: 'iprompt.server.model', tokenizer: 'iprompt.server.tokenizer', apiKey: 'iprompt.server.apiKey' } as const;

function useStored(key: string, initial = ''): [string, (v: string) => void] {
  const [value, setValue] = useState(() => localStorage.getItem(key) ?? initial);
  return [
    value,
    (v: string) => {
      setValue(v);
      if (v) localStorage.setItem(key, v);
      else localStorage.removeItem(key);
    },
  ];
}

/** The fields of "a vLLM server": where, which model, its tokenizer, an optional key. */
function ServerFields({ engine, locked }: { engine: ReturnType<typeof useEngine>; locked: boolean }) {
  const status = useEngineStore((s) => s.status);
  const [url, setUrl] = useStored(SERVER_KEYS.url, 'http://localhost:8000');
  const [model, setModel] = useStored(SERVER_KEYS.model);
  const [tokenizer, setTokenizer] = useStored(SERVER_KEYS.tokenizer);
  const [apiKey, setApiKey] = useStored(SERVER_KEYS.apiKey);
  // The served model's tokenizer: a hub id (default: the model's name), or its folder picked from disk.
  const [picked, setPicked] = useState<{ name: string; source: ModelSource } | null>(null);
  const tokId = (tokenizer.trim() || model.trim()).replace(/^\/+|\/+$/g, '');
  const ready = url.trim() !== '' && model.trim() !== '' && (picked !== null || /^[\w.-]+\/[\w.-]+$/.test(tokId));
  const hubUrl = localStorage.getItem(HUB_URL_KEY);
  const connect = () =>
    void engine.connect({ url: url.trim(), model: model.trim(), tokenizer: picked?.source ?? { kind: 'hub', id: tokId }, ...(apiKey ? { apiKey } : {}), ...(hubUrl && hubUrl !== DEFAULT_HUB_URL ? { hubUrl } : {}) });
  return (
    <div className="server-fields" data-testid="server-fields">
      <div className="row">
        <label>
          Server <input data-testid="server-url" value={url} onChange={(e) => setUrl(e.target.value)} size={28} placeholder="http://gpu-box:8000" />
        </label>
        <label>
          Model <input data-testid="server-model" value={model} onChange={(e) => setModel(e.target.value)} size={30} placeholder="Qwen/Qwen2.5-7B-Instruct" />
        </label>
        {picked ? (
          <span data-testid="server-tokenizer-picked">
            Tokenizer: {picked.name} (from disk){' '}
            <button data-testid="server-tokenizer-clear" onClick={() => setPicked(null)}>
              use a hub id
            </button>
          </span>
        ) : (
          <label>
            Tokenizer <input data-testid="server-tokenizer" value={tokenizer} onChange={(e) => setTokenizer(e.target.value)} size={24} placeholder="the model's hub id" />
          </label>
        )}
        <label>
          API key <input data-testid="server-key" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} size={12} placeholder="none" />
        </label>
        <button data-testid="connect" disabled={status === 'loading' || locked || !ready} onClick={connect}>
          Connect
        </button>
      </div>
      <div className="row">
        <label className="file-pick">
          or the tokenizer&apos;s folder from disk{' '}
          <input
            type="file"
            data-testid="server-tokenizer-folder"
            // Only tokenizer.json and tokenizer_config.json are read; they stay in this tab.
            {...{ webkitdirectory: '', directory: '' }}
            multiple
            onChange={(e) => {
              const source = pickedSource(e.currentTarget.files);
              const first = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (source?.kind === 'files') {
                const files = source.files.filter((f) => /(^|\/)tokenizer(_config)?\.json$/.test(f.path));
                setPicked({ name: first?.webkitRelativePath.split('/')[0] || 'picked files', source: { kind: 'files', files } });
              }
            }}
          />
        </label>
      </div>
      <div className="hint" data-testid="server-notice">
        The search runs here and asks the server for scores and samples: <strong>your data is sent to that server</strong>, and only to it. The tokenizer is the served
        model&apos;s, from the hub (or this browser&apos;s cache), and is checked against the server&apos;s at connect. The address and key stay in this browser; results and
        links record only the model&apos;s name. Start vLLM with <code>vllm serve MODEL</code>; a page on another origin needs <code>--allowed-origins</code> (its default allows
        every page). See docs/server.md.
      </div>
    </div>
  );
}
const DTYPES = ['auto', 'fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;

export function EnginePanel({ engine, defaultModel, locked = false }: { engine: ReturnType<typeof useEngine>; defaultModel: string; locked?: boolean }) {
  countRender('EnginePanel');
  const status = useEngineStore((s) => s.status);
  const completion = useEngineStore((s) => s.completion);
  const [backend, setBackend] = useState<BackendRequest>('auto');
  const [choice, setChoice] = useState<string>('shipped');
  const [customId, setCustomId] = useState('');
  const [dtype, setDtype] = useState<(typeof DTYPES)[number]>('auto');
  const [hubUrl, setHubUrl] = useState(() => localStorage.getItem(HUB_URL_KEY) ?? DEFAULT_HUB_URL);
  const [prompt, setPrompt] = useState('Given the input numbers 3 and 4, the answer is');
  const [seed, setSeed] = useState(1);
  const entry = catalogueEntry(choice);

  const sourceOf = (): ModelSource | null => {
    if (choice === 'shipped') return { kind: 'shipped', name: defaultModel };
    const id = choice === 'custom' ? customId.trim() : choice;
    return /^[\w.-]+\/[\w.-]+$/.test(id) ? { kind: 'hub', id } : null;
  };
  const doLoad = () => {
    const source = sourceOf();
    if (source) void engine.load(source, backend, { dtype, hubUrl: hubUrl === DEFAULT_HUB_URL ? undefined : hubUrl });
  };

  return (
    <section className="panel">
      <h2>Language model</h2>
      <div className="row">
        <label>
          Model{' '}
          <select data-testid="model-select" value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="shipped">{defaultModel} (built in, offline, 9.6 MB)</option>
            {CATALOGUE.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label} · {m.params} · {m.licence}
              </option>
            ))}
            <option value="custom">another hub model…</option>
            <option value="server">a vLLM server…</option>
          </select>
        </label>
        {choice === 'custom' && <input data-testid="hub-id" placeholder="owner/name" value={customId} onChange={(e) => setCustomId(e.target.value)} size={32} />}
        {choice !== 'server' && (
          <>
            <label>
              Backend{' '}
              <select data-testid="backend-select" value={backend} onChange={(e) => setBackend(e.target.value as BackendRequest)}>
                <option value="auto">auto</option>
                <option value="wasm">WASM</option>
                <option value="webgpu">WebGPU</option>
              </select>
            </label>
            <label>
              Weights{' '}
              <select data-testid="dtype-select" value={dtype} onChange={(e) => setDtype(e.target.value as (typeof DTYPES)[number])}>
                {DTYPES.map((d) => (
                  <option key={d}>{d}</option>
                ))}
              </select>
            </label>
            <button data-testid="load" disabled={status === 'loading' || locked || !sourceOf()} title={locked ? 'A search is running on this model' : undefined} onClick={doLoad}>
              Load
            </button>
          </>
        )}
        {status === 'loading' && (
          <button data-testid="cancel-load" onClick={engine.cancelLoad}>
            Cancel
          </button>
        )}
        <span data-testid="status" className={`status ${status}`}>
          {status}
        </span>
      </div>
      {choice === 'server' && <ServerFields engine={engine} locked={locked} />}
      {entry && (
        <div className="hint" data-testid="catalogue-info">
          {entry.label}: about {formatBytes(entry.sizes[dtype === 'auto' ? (backend === 'webgpu' ? entry.recommended.webgpu : entry.recommended.wasm) : dtype] ?? null)} to download
          {' '}(weights: {entry.recommended.wasm} on WASM, {entry.recommended.webgpu} on WebGPU with shader-f16), licence {entry.licence}. {entry.note ?? ''} Downloaded once, then kept in this browser.
          <ul className="variants">
            {catalogueVariants(entry, WASM_CHECK).map((v) => (
              <li key={v.dtype} data-testid="catalogue-variant" data-dtype={v.dtype} data-fits-wasm={String(v.fits)}>
                {v.dtype}: {v.estimated ? 'about ' : ''}
                {formatBytes(v.bytes)}
                {v.fits ? '' : ' (too large for WASM: it would be refused before downloading)'}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="row">
        <label className="file-pick">
          or a model folder from disk{' '}
          <input
            type="file"
            data-testid="pick-folder"
            // A folder in the Hugging Face ONNX layout; its files stay in this tab.
            {...{ webkitdirectory: '', directory: '' }}
            multiple
            disabled={locked}
            onChange={(e) => {
              const source = pickedSource(e.currentTarget.files);
              e.currentTarget.value = '';
              if (source) void engine.load(source, backend, { dtype });
            }}
          />
        </label>
      </div>
      <details>
        <summary>Hub address</summary>
        <input
          data-testid="hub-url"
          value={hubUrl}
          size={60}
          onChange={(e) => {
            setHubUrl(e.target.value);
            localStorage.setItem(HUB_URL_KEY, e.target.value);
          }}
        />
        <div className="hint">A URL template with {'{id}'} and {'{file}'}, for a mirror. Default: {DEFAULT_HUB_URL}</div>
      </details>
      <CachedModels />
      <LoadProgressBar />
      <ErrorBox />
      <BackendInfo />
      <h3>Try the model</h3>
      <div className="row">
        <input data-testid="prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)} size={60} />
        <label>
          seed <input type="number" data-testid="seed" value={seed} onChange={(e) => setSeed(Number(e.target.value))} style={{ width: '5em' }} />
        </label>
        <button data-testid="generate" disabled={status !== 'ready' || locked} onClick={() => void engine.complete(prompt, { max_new_tokens: 16, seed, temperature: 1 })}>
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
