/** The final ranked prompts next to the no-prompt baseline, "try it", and export. */
import { useState } from 'react';
import { useRunStore } from './state/runStore.ts';
import { downloadText, toCsv } from './download.ts';
import type { useEngine } from './useEngine.ts';
import type { ReactNode } from 'react';
import { modelLabel } from './runRecord.ts';
import { DEFAULT_OPTIONS, scoringText, type TemplateOptions } from '../iprompt/index.ts';

export function ResultsPanel({ engine, share }: { engine: ReturnType<typeof useEngine>; share?: ReactNode }) {
  const record = useRunStore((s) => s.record);
  const result = useRunStore((s) => s.result);
  const opened = useRunStore((s) => s.opened);
  const [chosen, setChosen] = useState(0);
  if (!record?.result) return null;
  const r = record.result;
  const heldOut = record.options.do_final_reranking !== false;
  const exportJson = () =>
    downloadText('iprompt-result.json', JSON.stringify(result ? { prompts: result.metadata.ranked, metadata: { ...result.metadata, ranked: undefined } } : record, null, 2), 'application/json');
  const exportCsv = () =>
    downloadText('iprompt-result.csv', toCsv([['rank', 'prompt', 'accuracy', 'loss', 'times_scored'], ...r.prompts.map((p, i) => [i + 1, p.text, p.accuracy, p.loss, p.timesScored])]), 'text/csv');
  return (
    <section className="panel" data-testid="results">
      <h2>Explanations</h2>
      {opened && (
        <p className="note" data-testid="opened-note">
          Opened from a {opened.from === 'permalink' ? 'shared link' : 'saved run'}, not recomputed: {modelLabel(record.model)}, seed {record.options.seed ?? '?'}, finished {new Date(r.finishedAt).toLocaleString()}.
          {opened.note ? ` ${opened.note}` : ''}
        </p>
      )}
      <p className="hint">
        {r.steps} steps ({r.stoppedBy.replace(/_/g, ' ')}), ranked by {heldOut ? `accuracy then loss on ${r.baseline?.examples ?? 'the'} held-out examples` : 'running accuracy'}.
      </p>
      <table className="ranked">
        <thead>
          <tr>
            <th>#</th>
            <th>prompt</th>
            <th>accuracy</th>
            <th>loss</th>
            <th>times scored</th>
          </tr>
        </thead>
        <tbody>
          {r.prompts.slice(0, 15).map((p, i) => (
            <tr key={i} data-testid="ranked-row" className={chosen === i ? 'selected' : ''} onClick={() => setChosen(i)}>
              <td>{i + 1}</td>
              <td className="prompt" data-testid="ranked-prompt">{p.text}</td>
              <td>{p.accuracy.toFixed(3)}</td>
              <td>{p.loss.toFixed(4)}</td>
              <td>{p.timesScored}</td>
            </tr>
          ))}
          {r.baseline && (
            <tr className="baseline" data-testid="baseline-row">
              <td>–</td>
              <td>
                <em>no prompt</em>
              </td>
              <td>{r.baseline.accuracy.toFixed(3)}</td>
              <td>{r.baseline.loss.toFixed(4)}</td>
              <td>–</td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="row">
        <button data-testid="export-json" onClick={exportJson}>
          Export JSON
        </button>
        <button data-testid="export-csv" onClick={exportCsv}>
          Export CSV
        </button>
        {share}
      </div>
      {r.prompts[chosen] && (
        <TryIt
          engine={engine}
          prompt={r.prompts[chosen].text}
          template={{
            prefix_before_input: record.options.prefix_before_input ?? DEFAULT_OPTIONS.prefix_before_input,
            preprefix: record.options.preprefix ?? DEFAULT_OPTIONS.preprefix,
            max_length: record.options.max_length ?? DEFAULT_OPTIONS.max_length,
          }}
        />
      )}
    </section>
  );
}

/** The chosen prompt on a new input, under the same scoring template the search used (prompt position, preprefix, length limit). */
function TryIt({ engine, prompt, template }: { engine: ReturnType<typeof useEngine>; prompt: string; template: TemplateOptions }) {
  const [input, setInput] = useState('');
  const [out, setOut] = useState<{ with: string; without: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const withPrompt = await engine.tryPrompt(prompt, input, template, 8);
      const without = await engine.tryPrompt(null, input, template, 8);
      setOut({ with: withPrompt.text, without: without.text });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="try" data-testid="try-it">
      <h3>Try it</h3>
      <p className="hint">
        Type a new input; the model continues <code data-testid="try-template">{JSON.stringify(scoringText(prompt, input || '…', template))}</code>, as the search scored it, and the same with no prompt.
      </p>
      <div className="row">
        <input data-testid="try-input" value={input} size={50} onChange={(e) => setInput(e.target.value)} placeholder="Given the input numbers 2 and 5, the answer is" />
        <button data-testid="try-run" disabled={busy || !input.trim()} onClick={() => void run()}>
          Try
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      {out && (
        <dl className="try-out">
          <dt>with the prompt</dt>
          <dd data-testid="try-with">{JSON.stringify(out.with)}</dd>
          <dt>without</dt>
          <dd data-testid="try-without">{JSON.stringify(out.without)}</dd>
        </dl>
      )}
    </div>
  );
}
