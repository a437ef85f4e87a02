/** The latest step's candidates as they were scored; a mutation shows which words it kept and which it regrew. */
import { useRunStore } from './state/runStore.ts';
import { countRender } from './renderCount.ts';

export function CandidateStream() {
  countRender('CandidateStream');
  const stream = useRunStore((s) => s.stream);
  if (stream.length === 0) return null;
  const regrown = (text: string, kept: string) => (text.startsWith(kept) ? text.slice(kept.length) : text);
  return (
    <section className="panel stream" data-testid="candidate-stream">
      <h2>Step {stream[0].step}: {stream.length} candidates</h2>
      <p className="hint">
        <mark className="kept">kept</mark> tokens of a mutation's parent, <span className="regrown">regrown</span> ones after the cut.
      </p>
      <table className="pool">
        <tbody>
          {stream.map((c, i) => (
            <tr key={i} data-testid="stream-row" data-kind={c.kind}>
              <td className="prompt">
                {c.kept !== undefined && c.text.startsWith(c.kept) ? (
                  <>
                    <mark className="kept" data-testid="kept">
                      {c.kept}
                    </mark>
                    <span className="regrown" data-testid="regrown">
                      {regrown(c.text, c.kept)}
                    </span>
                  </>
                ) : (
                  c.text
                )}
              </td>
              <td className="hint">{c.kind === 'mutation' ? `mutation, cut after ${c.truncateAt}` : c.kind}</td>
              <td>{c.loss.toFixed(4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
