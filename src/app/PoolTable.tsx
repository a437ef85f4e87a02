/** The pool's best prompts, reordering as the search runs; click one for its lineage. */
import { useRunStore } from './state/runStore.ts';
import { countRender } from './renderCount.ts';

export function PoolTable() {
  countRender('PoolTable');
  const top = useRunStore((s) => s.top);
  const selected = useRunStore((s) => s.selected);
  const select = useRunStore((s) => s.selectPrompt);
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
                onClick={() => select(selected === key ? null : key)}
                onKeyDown={(k) => (k.key === 'Enter' || k.key === ' ') && (k.preventDefault(), select(selected === key ? null : key))}
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

interface TreeNode {
  key: string;
  text: string;
  loss: number | null;
  firstStep: number;
  /** How it came from its parent: the cut point of a mutation. */
  edge: string | null;
  children: TreeNode[];
}

/**
 * The ancestry of a pool prompt as a tree over the steps: from its first ancestor down, with the
 * other pool prompts that descend from the same ancestors, each edge a mutation and its cut.
 */
function Lineage({ id }: { id: string }) {
  const top = useRunStore((s) => s.top);
  const lineage = useRunStore((s) => s.lineage);
  const select = useRunStore((s) => s.selectPrompt);
  const inPool = new Map(top.map((p) => [p.ids.join(','), p]));
  // The chain up from the selected prompt (bounded: a cycle cannot occur, but a long run's chain is cut at 30).
  const chain: string[] = [];
  for (let k: string | undefined = id; k && !chain.includes(k) && chain.length < 30; k = lineage.get(k)?.parent) chain.push(k);
  const onPath = new Set(chain);
  const node = (key: string): TreeNode => {
    const e = lineage.get(key);
    const p = inPool.get(key);
    const children = [...lineage.entries()].filter(([k, c]) => c.parent === key && (onPath.has(k) || inPool.has(k))).map(([k]) => node(k));
    return { key, text: e?.text ?? p?.text ?? '(initial population)', loss: p?.meanLoss ?? e?.loss ?? null, firstStep: e?.firstStep ?? p?.firstStep ?? 0, edge: e?.kind === 'mutation' ? `cut after ${e.truncateAt}` : (e?.kind ?? null), children: children.sort((a, b) => a.firstStep - b.firstStep) };
  };
  const root = node(chain[chain.length - 1]);
  const render = (n: TreeNode) => (
    <li key={n.key} data-testid="lineage-node" data-on-path={onPath.has(n.key) ? 'true' : undefined}>
      {n.edge && <span className="edge" data-testid="lineage-edge">{n.edge} → </span>}
      <button className={`node${n.key === id ? ' selected' : ''}`} onClick={() => inPool.has(n.key) && select(n.key)} disabled={!inPool.has(n.key)} title={inPool.has(n.key) ? 'Show this prompt' : 'No longer in the pool'}>
        <code>{JSON.stringify(n.text)}</code>
      </button>{' '}
      <span className="hint">
        step {n.firstStep}
        {n.loss !== null ? ` · loss ${n.loss.toFixed(4)}` : ''}
      </span>
      {n.children.length > 0 && <ul>{n.children.map(render)}</ul>}
    </li>
  );
  return (
    <div className="lineage" data-testid="lineage">
      <h3>Ancestry of {JSON.stringify(inPool.get(id)?.text ?? lineage.get(id)?.text ?? '')}</h3>
      <ul className="tree">{render(root)}</ul>
    </div>
  );
}
