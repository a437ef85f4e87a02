/** Per-example evidence for one explanation: each evaluation example, the answers with and without it, filters. */
import { useState } from 'react';
import type { Evidence as EvidenceData } from '../iprompt/index.ts';
import type { SharedExplanation } from '../share/permalink.ts';

type Filter = 'all' | 'fixed' | 'wrong';

const FILTERS: { key: Filter; label: string }[] = [
  { key: 'all', label: 'all' },
  { key: 'fixed', label: 'fixed by the explanation' },
  { key: 'wrong', label: 'still wrong' },
];

export function Evidence({ explanation, evidence }: { explanation: SharedExplanation; evidence: EvidenceData | undefined }) {
  const [filter, setFilter] = useState<Filter>('all');
  const per = explanation.perExample;
  if (!evidence || !per) {
    return (
      <p className="hint" data-testid="evidence-missing">
        No per-example evidence for this explanation: {evidence ? 'the run was cut short before it was computed' : 'the link left it out to stay short'}.
      </p>
    );
  }
  const base = evidence.baseline.perExample;
  const rows = evidence.examples.map((e, i) => ({ i, e, right: per.correct[i], before: base.correct[i] }));
  const keep = (r: (typeof rows)[number]) => (filter === 'all' ? true : filter === 'fixed' ? r.right && !r.before : !r.right);
  const counts: Record<Filter, number> = { all: rows.length, fixed: rows.filter((r) => r.right && !r.before).length, wrong: rows.filter((r) => !r.right).length };
  const shown = rows.filter(keep);
  return (
    <div className="evidence" data-testid="evidence">
      <h3>Per example: {JSON.stringify(explanation.text)}</h3>
      <p className="hint">
        Each of the {rows.length} {evidence.split === 'held_out' ? 'held-out examples (never shown to the search)' : 'training rows the ranking used'}: the
        model's greedy answer with the explanation and with no prompt (as many tokens as the expected output), and the loss of the expected output with the explanation.
      </p>
      <div className="row" role="radiogroup" aria-label="Which examples">
        {FILTERS.map((f) => (
          <label key={f.key}>
            <input type="radio" name="evidence-filter" data-testid={`evidence-filter-${f.key}`} checked={filter === f.key} onChange={() => setFilter(f.key)} /> {f.label} ({counts[f.key]})
          </label>
        ))}
      </div>
      <table className="ranked">
        <thead>
          <tr>
            <th>#</th>
            <th>input</th>
            <th>expected</th>
            <th>with the explanation</th>
            <th>no prompt</th>
            <th>loss</th>
          </tr>
        </thead>
        <tbody>
          {shown.map(({ i, e, right, before }) => (
            <tr key={i} data-testid="evidence-row" className={right ? 'right' : 'wrong'}>
              <td>{i + 1}</td>
              <td className="prompt">{JSON.stringify(e.input)}</td>
              <td className="prompt" data-testid="evidence-expected">{JSON.stringify(e.output)}</td>
              <td className="prompt" data-testid="evidence-with">
                {right ? '✓ ' : '✗ '}
                {per.greedy ? JSON.stringify(per.greedy[i]) : '–'}
              </td>
              <td className="prompt" data-testid="evidence-without">
                {before ? '✓ ' : '✗ '}
                {base.greedy ? JSON.stringify(base.greedy[i]) : '–'}
              </td>
              <td>{(per.nll[i] / e.tokens).toFixed(4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="hint">No example in this group.</p>}
    </div>
  );
}
