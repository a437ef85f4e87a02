/** The pool's best prompts, reordering as the search runs; click one for its lineage. */
import { useRunStore } from './state/runStore.ts';
import { lineage } from './useSearch.ts';

export function PoolTable() {
  const top = useRunStore((s) => s.top);
  const selected = useRunStore((s) => s.selected);
  const set = useRunStore((s) => s.set);
  if (top.length === 0) return null;
  return (
    <section className="panel" data-testid="pool">
      <h2>Pool: best prompts so far</h2>
      <table className="pool">
        <thead>
          <tr>
            <th>prompt</th>
            <th>mean loss</th>
            <th>accuracy</th>
            <th>times scored</th>
            <th>first seen</th>
          </tr>
        </thead>
        <tbody>
          {top.map((p) => {
            const key = p.ids.join(',');
            return (
              <tr
                key={key}
                data-testid="pool-row"
                className={selected === key ? 'selected' : ''}
                tabIndex={0}
                aria-selected={selected === key}
                onClick={() => set({ selected: selected === key ? null : key })}
                onKeyDown={(k) => (k.key === 'Enter' || k.key === ' ') && (k.preventDefault(), set({ selected: selected === key ? null : key }))}
              >
                <td className="prompt">{JSON.stringify(p.text)}</td>
                <td>{p.meanLoss.toFixed(4)}</td>
                <td>{p.meanAccuracy.toFixed(2)}</td>
                <td>{p.timesScored}</td>
                <td>step {p.firstStep}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {selected && <Lineage id={selected} />}
    </section>
  );
}

function Lineage({ id }: { id: string }) {
  const chain: { key: string; text: string; note: string }[] = [];
  let key: string | undefined = id;
  const seen = new Set<string>();
  while (key && !seen.has(key) && chain.length < 20) {
    seen.add(key);
    const e = lineage.get(key);
    if (!e) {
      chain.push({ key, text: useRunStore.getState().top.find((p) => p.ids.join(',') === key)?.text ?? '(initial population)', note: 'initial population' });
      break;
    }
    chain.push({ key, text: e.text, note: e.kind === 'mutation' ? `mutation at step ${e.firstStep}: kept the first ${e.truncateAt} tokens of its parent` : `${e.kind} at step ${e.firstStep}` });
    key = e.parent;
  }
  return (
    <ol className="lineage" data-testid="lineage">
      {chain.map((c) => (
        <li key={c.key}>
          <code>{JSON.stringify(c.text)}</code> <span className="hint">{c.note}</span>
        </li>
      ))}
    </ol>
  );
}
