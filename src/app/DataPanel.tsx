/** Data in: paste pairs, upload a file and choose its columns, or pick a task of the suite; a preview with each row's problems. */
import { TASK_IDS } from '../datasets/tasks/index.ts';
import { useDataStore } from './state/dataStore.ts';
import type { useData } from './useData.ts';
import { countRender } from './renderCount.ts';

const PREVIEW_ROWS = 8;

export function DataPanel({ data }: { data: ReturnType<typeof useData> }) {
  countRender('DataPanel');
  const s = useDataStore();
  return (
    <section className="panel" data-testid="data-panel">
      <h2>Data</h2>
      <p className="hint">One pair per line: input and output separated by a tab, a comma or <code>=&gt;</code>. Or upload CSV, TSV, JSON or JSONL.</p>
      <textarea
        aria-label="Input and output pairs, one per line"
        data-testid="paste"
        rows={6}
        value={s.draft}
        placeholder={'Given the input numbers 3 and 4, the answer is\t 7\nGiven the input numbers 8 and 0, the answer is\t 8'}
        onChange={(e) => data.setDraft(e.target.value)}
      />
      <div className="row">
        <label className="file-pick">
          Upload{' '}
          <input
            type="file"
            data-testid="upload"
            accept=".csv,.tsv,.json,.jsonl,.txt,text/csv,application/json"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void data.loadFile(file);
            }}
          />
        </label>
        <label>
          or a task{' '}
          <select data-testid="suite" value={s.origin?.kind === 'suite' ? s.origin.task : ''} onChange={(e) => e.target.value && data.pickTask(e.target.value)}>
            <option value="">choose…</option>
            {TASK_IDS.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        {s.parsing && <span data-testid="parsing">reading…</span>}
      </div>
      {s.origin?.kind === 'file' && s.columns.length > 1 && (
        <div className="row" data-testid="columns">
          <label>
            input column{' '}
            <select data-testid="input-col" value={s.inputColumn ?? ''} onChange={(e) => void data.chooseColumns(e.target.value, s.outputColumn ?? '')}>
              {s.columns.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            output column{' '}
            <select data-testid="output-col" value={s.outputColumn ?? ''} onChange={(e) => void data.chooseColumns(s.inputColumn ?? '', e.target.value)}>
              {s.columns.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
        </div>
      )}
      {s.error && (
        <div className="error" role="alert" data-testid="data-error" data-code={s.error.code}>
          {s.error.message}
          {s.pairs && <div className="remedy">The previous data ({s.pairs.inputs.length} rows) is kept.</div>}
        </div>
      )}
      {s.pairs && <Preview />}
    </section>
  );
}

function Preview() {
  const { pairs, name, rowProblems } = useDataStore();
  if (!pairs) return null;
  return (
    <div className="preview" data-testid="preview">
      <div>
        <strong data-testid="row-count">{pairs.inputs.length}</strong> rows from {name}
        {rowProblems.length > 0 && <span className="warn"> · {rowProblems.length} rows with problems</span>}
      </div>
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>input</th>
            <th>output</th>
          </tr>
        </thead>
        <tbody>
          {pairs.inputs.slice(0, PREVIEW_ROWS).map((inp, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td>{inp}</td>
              <td>{JSON.stringify(pairs.outputs[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pairs.inputs.length > PREVIEW_ROWS && <div className="hint">… and {pairs.inputs.length - PREVIEW_ROWS} more</div>}
      {rowProblems.length > 0 && (
        <ul className="problems" data-testid="row-problems">
          {rowProblems.slice(0, 5).map((p, i) => (
            <li key={i}>{p.line > 0 ? `line ${p.line}: ` : ''}{p.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
