/** Type a description and score it on the run's evaluation examples, beside the found explanations. */
import { useState } from 'react';
import { scoringText, type Explanation } from '../iprompt/index.ts';
import type { SharedRun } from '../share/permalink.ts';
import { useEngineStore } from './engineStore.ts';
import { updateRun } from './history.ts';
import { modelLabel, modelRefOf, sharedExplanation } from './runRecord.ts';
import { useRunStore } from './state/runStore.ts';
import type { useEngine } from './useEngine.ts';

export function ScoreYourOwn({ engine, record, template }: { engine: ReturnType<typeof useEngine>; record: SharedRun; template: { prefix_before_input: boolean; preprefix: string } }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loaded = useEngineStore((s) => s.model);
  const source = useEngineStore((s) => s.source);
  const r = record.result!;
  const runModel = modelLabel(record.model);
  const loadedModel = loaded ? modelLabel(modelRefOf(source, loaded)) : null;
  const score = async () => {
    setBusy(true);
    setError(null);
    try {
      const [scored]: Explanation[] = await engine.describe([text], { options: record.options, evidence: r.evidence, best: r.explanations?.[0]?.perExample ? { perExample: r.explanations[0].perExample } : null });
      const next: SharedRun = { ...record, result: { ...r, descriptions: [...(r.descriptions ?? []), sharedExplanation(scored)] } };
      // The store may have moved on (another run opened) while this one scored.
      if (!useRunStore.getState().updateRecord(record, next)) return;
      const { historyId } = useRunStore.getState();
      if (historyId !== null) await updateRun(historyId, next).catch(() => undefined);
      setText('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const ready = !!r.evidence && !!loaded;
  return (
    <div className="try" data-testid="score-own">
      <h3>Score your own description</h3>
      <p className="hint">
        Type what you think the rule is; it is scored on the same {r.evidence?.examples.length ?? ''} examples as the explanations above, as the model reads it:{' '}
        <code>{JSON.stringify(scoringText(text || '…', r.evidence?.examples[0]?.input ?? 'input', template))}</code>.
        {loadedModel && loadedModel !== runModel && ` The loaded model is ${loadedModel}, not ${runModel} that made this run: its figures compare only with the same model's.`}
        {!r.evidence && ' This run carries no examples to score on (the link left them out).'}
        {!loaded && ' Load a model first.'}
      </p>
      <div className="row">
        <input data-testid="score-own-input" value={text} size={50} onChange={(e) => setText(e.target.value)} placeholder=" Add the two numbers" />
        <button data-testid="score-own-run" disabled={busy || !ready || !text.trim()} onClick={() => void score()}>
          {busy ? 'Scoring…' : 'Score'}
        </button>
      </div>
      {error && <div className="error" data-testid="score-own-error">{error}</div>}
    </div>
  );
}
