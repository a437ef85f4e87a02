/**
 * The results: the verdict, the explanations (cleaned, merged, with 95% intervals) beside the
 * no-prompt baseline and a person's own descriptions, per-example evidence, "try it", export,
 * and the prompts as the search found them.
 */
import { useState } from 'react';
import { useRunStore } from './state/runStore.ts';
import { downloadText, toCsv } from './download.ts';
import type { useEngine } from './useEngine.ts';
import type { ReactNode } from 'react';
import { modelLabel } from './runRecord.ts';
import { DEFAULT_OPTIONS, exportResult, scoringText, type Interval, type TemplateOptions } from '../iprompt/index.ts';
import type { SharedExplanation, SharedRun } from '../share/permalink.ts';
import { Evidence } from './Evidence.tsx';
import { ScoreYourOwn } from './ScoreYourOwn.tsx';
import { countRender } from './renderCount.ts';

const range = (i: Interval | undefined, digits: number) => (i ? `${i.low.toFixed(digits)}–${i.high.toFixed(digits)}` : '');

function Figure({ value, interval, digits }: { value: number; interval?: Interval; digits: number }) {
  return (
    <>
      {value.toFixed(digits)}
      {interval && <span className="interval"> [{range(interval, digits)}]</span>}
    </>
  );
}

export function ResultsPanel({ engine, share }: { engine: ReturnType<typeof useEngine>; share?: ReactNode }) {
  countRender('ResultsPanel');
  const record = useRunStore((s) => s.record);
  const result = useRunStore((s) => s.result);
  const opened = useRunStore((s) => s.opened);
  const [chosen, setChosen] = useState(0);
  if (!record?.result) return null;
  const r = record.result;
  const heldOut = record.options.do_final_reranking !== false;
  const template = {
    prefix_before_input: record.options.prefix_before_input ?? DEFAULT_OPTIONS.prefix_before_input,
    preprefix: record.options.preprefix ?? DEFAULT_OPTIONS.preprefix,
    max_length: record.options.max_length ?? DEFAULT_OPTIONS.max_length,
  };
  // Runs saved before explanations existed show their prompts as found.
  const found: SharedExplanation[] = r.explanations ?? [];
  const own = r.descriptions ?? [];
  const rows = [...found.slice(0, 15), ...own];
  const pick = rows[chosen] ?? rows[0];
  const exportJson = () =>
    downloadText('iprompt-result.json', JSON.stringify(result && result.metadata.train_end_time === r.finishedAt ? { ...exportResult(result), descriptions: own } : record, null, 2), 'application/json');
  const exportCsv = () =>
    downloadText(
      'iprompt-result.csv',
      toCsv([
        ['rank', 'explanation', 'source', 'accuracy', 'accuracy_low', 'accuracy_high', 'loss', 'loss_low', 'loss_high', 'indistinguishable_from_best', 'beats_no_prompt', 'prompts_as_found'],
        ...[...found, ...own].map((e, i) => [e.source === 'user' ? '' : i + 1, e.text, e.source, e.accuracy, e.accuracyInterval.low, e.accuracyInterval.high, e.loss, e.lossInterval.low, e.lossInterval.high, String(e.tiedWithBest), String(e.beatsBaseline), e.variants.map((v) => v.text).join(' | ')]),
      ]),
      'text/csv',
    );
  const on = r.evidence?.split === 'training_rows' ? 'training rows' : 'held-out examples';
  return (
    <section className="panel" data-testid="results">
      <h2>Explanations</h2>
      {opened && (
        <p className="note" data-testid="opened-note">
          Opened from a {opened.from === 'permalink' ? 'shared link' : 'saved run'}, not recomputed: {modelLabel(record.model)}, seed {record.options.seed ?? '?'}, finished {new Date(r.finishedAt).toLocaleString()}.
          {opened.note ? ` ${opened.note}` : ''}
        </p>
      )}
      {r.verdict && (
        <p className={`verdict ${r.verdict.explained ? 'explained' : 'unexplained'}`} data-testid="verdict">
          {r.verdict.message}
        </p>
      )}
      <p className="hint">
        {r.steps} steps ({r.stoppedBy.replace(/_/g, ' ')}), ranked by {heldOut ? `accuracy then loss on ${r.baseline?.examples ?? 'the'} held-out examples` : 'running accuracy'}.
        {found.length > 0 && ` Each explanation is the shortest wording of the prompts found that scores as well; brackets hold 95% intervals; ≈ marks those the data cannot tell apart from the best.`}
      </p>
      {found.length > 0 && (
        <table className="ranked">
          <thead>
            <tr>
              <th>#</th>
              <th>explanation</th>
              <th>accuracy</th>
              <th>loss</th>
              <th title="Better than no prompt beyond the intervals">vs no prompt</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e, i) => (
              <tr
                key={i}
                data-testid={e.source === 'user' ? 'own-row' : 'explanation-row'}
                className={`${pick === e ? 'selected' : ''} ${e.source}`}
                tabIndex={0}
                aria-selected={pick === e}
                aria-label={`Show the evidence for ${e.text.trim()}`}
                onClick={() => setChosen(i)}
                onKeyDown={(k) => (k.key === 'Enter' || k.key === ' ') && (k.preventDefault(), setChosen(i))}
              >
                <td>{e.source === 'user' ? 'yours' : i + 1}</td>
                <td className="prompt">
                  <span data-testid={e.source === 'user' ? 'own-text' : 'explanation-text'}>{e.text}</span>
                  {e.tiedWithBest && (
                    <span className="tag" data-testid="tied" title="The paired bootstrap over the same examples cannot tell it from the best">
                      ≈ best
                    </span>
                  )}
                  {e.variants.length > 0 && (e.cleaned || e.variants.length > 1) && (
                    <div className="variants" data-testid="variants">
                      from {e.variants.length === 1 ? '' : `${e.variants.length} prompts: `}
                      {e.variants.slice(0, 3).map((v) => JSON.stringify(v.text)).join(', ')}
                      {e.variants.length > 3 ? ', …' : ''}
                    </div>
                  )}
                </td>
                <td data-testid="explanation-accuracy">
                  <Figure value={e.accuracy} interval={e.accuracyInterval} digits={3} />
                </td>
                <td data-testid="explanation-loss">
                  <Figure value={e.loss} interval={e.lossInterval} digits={4} />
                </td>
                <td>{e.beatsBaseline ? 'better' : 'not better'}</td>
              </tr>
            ))}
            {r.baseline && <BaselineRow baseline={r.baseline} on={on} />}
          </tbody>
        </table>
      )}
      <details className="found" open={found.length === 0} data-testid="found">
        <summary>Prompts as found by the search ({r.prompts.length})</summary>
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
              <tr key={i} data-testid="ranked-row">
                <td>{i + 1}</td>
                <td className="prompt" data-testid="ranked-prompt">
                  {p.text}
                </td>
                <td>{p.accuracy.toFixed(3)}</td>
                <td>{p.loss.toFixed(4)}</td>
                <td>{p.timesScored}</td>
              </tr>
            ))}
            {found.length === 0 && r.baseline && <BaselineRow baseline={r.baseline} on={on} />}
          </tbody>
        </table>
      </details>
      <div className="row">
        <button data-testid="export-json" onClick={exportJson}>
          Export JSON
        </button>
        <button data-testid="export-csv" onClick={exportCsv}>
          Export CSV
        </button>
        {share}
      </div>
      {r.explanations && <ScoreYourOwn engine={engine} record={record} template={template} />}
      {pick && <Evidence key={`${chosen}-${pick.text}`} explanation={pick} evidence={r.evidence} />}
      {(pick?.text ?? r.prompts[0]?.text) !== undefined && <TryIt engine={engine} prompt={pick?.text ?? r.prompts[0].text} template={template} />}
    </section>
  );
}

function BaselineRow({ baseline, on }: { baseline: NonNullable<SharedRun['result']>['baseline'] & object; on: string }) {
  return (
    <tr className="baseline" data-testid="baseline-row">
      <td>–</td>
      <td>
        <em>no prompt</em> ({baseline.examples} {on})
      </td>
      <td>
        <Figure value={baseline.accuracy} interval={baseline.accuracyInterval} digits={3} />
      </td>
      <td>
        <Figure value={baseline.loss} interval={baseline.lossInterval} digits={4} />
      </td>
      <td>–</td>
    </tr>
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
