/** Two runs from the history side by side: settings with the differences marked, explanations, loss curves on one chart. */
import type { SavedRun } from './history.ts';
import { lossCurves, settingRows } from './compareRuns.ts';
import { thinEvenly, CHART_LIMITS } from './thin.ts';
import { Chart } from './charts/Chart.tsx';

function Explanations({ run }: { run: SavedRun }) {
  const r = run.record.result;
  const list = r?.explanations ?? r?.prompts.map((p) => ({ text: p.text, accuracy: p.accuracy, loss: p.loss, tiedWithBest: false })) ?? [];
  return (
    <div data-testid="compare-explanations">
    <ol className="compare-list">
      {list.slice(0, 5).map((e, i) => (
        <li key={i}>
          <code>{JSON.stringify(e.text)}</code> · accuracy {e.accuracy.toFixed(3)} · loss {e.loss.toFixed(4)}
          {e.tiedWithBest ? ' · ≈ best' : ''}
        </li>
      ))}
    </ol>
    {r?.verdict && <p className="hint">{r.verdict.explained ? 'Some explanation beats no prompt.' : 'Nothing explains the data.'}</p>}
    </div>
  );
}

export function CompareRuns({ a, b, onClose }: { a: SavedRun; b: SavedRun; onClose: () => void }) {
  const rows = settingRows(a.record, b.record);
  const differing = rows.filter((r) => r.differs);
  const curves = thinEvenly(lossCurves(a.record, b.record), CHART_LIMITS.series);
  const label = (r: SavedRun) => `${r.name}, ${new Date(r.savedAt).toLocaleString()}`;
  return (
    <section className="panel" data-testid="compare">
      <h2>
        Compare runs{' '}
        <button data-testid="compare-close" onClick={onClose}>
          Close
        </button>
      </h2>
      <p className="hint">
        A: {label(a)} · B: {label(b)} · {differing.length === 0 ? 'same settings' : `${differing.length} ${differing.length > 1 ? 'settings differ' : 'setting differs'} (marked)`}
      </p>
      <div className="compare-grid">
        <div>
          <h3>A</h3>
          <Explanations run={a} />
        </div>
        <div>
          <h3>B</h3>
          <Explanations run={b} />
        </div>
      </div>
      <figure>
        <figcaption>Best loss per step</figcaption>
        <Chart
          data={[curves.map((r) => r.step), curves.map((r) => r.a ?? null), curves.map((r) => r.b ?? null)]}
          height={200}
          y={{ log: true }}
         
          series={[
            { label: 'A', color: 'var(--chart-1)', kind: 'line' },
            { label: 'B', color: 'var(--chart-5)', kind: 'line' },
          ]}
          summary={`Best loss per step of run A (${a.record.result?.series?.length ?? 0} steps) and run B (${b.record.result?.series?.length ?? 0} steps).`}
          testId="compare-chart"
        />
      </figure>
      <details open={differing.length > 0}>
        <summary>Settings</summary>
        <table className="options" data-testid="compare-settings">
          <thead>
            <tr>
              <th>setting</th>
              <th>A</th>
              <th>B</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} data-testid={r.differs ? 'compare-differs' : undefined} className={r.differs ? 'differs' : undefined}>
                <td>
                  <code>{r.name}</code>
                  {r.differs && <span className="tag">differs</span>}
                </td>
                <td>{r.a}</td>
                <td>{r.b}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
