/** Presets, every search option under the reference's name with a one-line explanation, and an estimate of the work. */
import { useEffect, useState } from 'react';
import { DEFAULT_OPTIONS, OPTION_DOCS, plannedSteps, PRESETS, resolveOptions, type IPromptOptions, type IPromptOptionsInput, type PresetName, type WorkPlan } from '../iprompt/index.ts';
import { useEngineStore } from './engineStore.ts';
import { isServer } from '../worker/protocol.ts';
import { formatDuration } from '../util/format.ts';
import { useDataStore } from './state/dataStore.ts';
import { useRunStore } from './state/runStore.ts';
import { resolvedRunOptions } from './useSearch.ts';
import { countRender } from './renderCount.ts';

/** Options that change nothing in the search are not offered. */
const HIDDEN = new Set<keyof IPromptOptions>(['lr', 'gamma', 'accum_grad_over_epoch', 'verbose']);

export interface WorkEstimate {
  steps: number;
  candidates: number;
  sequencesPerStep: number;
  tokensPerStep: number;
  seconds: number | null;
}

/** Tokens are estimated at 4 characters each until a run has measured the speed on this model. */
export function estimateWork(inputs: string[], outputs: string[], o: IPromptOptions, tokensPerSecond: number | null): WorkEstimate {
  const n = inputs.length;
  const held = o.do_final_reranking && n >= 2 ? Math.min(o.n_eval, Math.max(1, Math.round(n * o.held_out_fraction)), n - 1) : 0;
  const rows = o.n_shots > 1 ? o.max_n_datapoints : Math.min(n - held, o.max_n_datapoints);
  const steps = plannedSteps(rows, o);
  const candidates = (o.pop_size + o.num_random_generations) * (1 + o.num_mutations);
  const batch = Math.min(o.batch_size, rows);
  const chars = inputs.slice(0, 200).reduce((a, x, i) => a + x.length + outputs[i].length + 2, 0) / Math.min(200, n);
  const tokensPerSequence = o.num_learned_tokens + chars / 4;
  const tokensPerStep = candidates * batch * tokensPerSequence;
  const total = steps * tokensPerStep + o.final_rerank_top_k * held * tokensPerSequence;
  return { steps, candidates, sequencesPerStep: candidates * batch, tokensPerStep, seconds: tokensPerSecond ? total / tokensPerSecond : null };
}

/** Asks the loaded model's worker for the work a run would do and its time (workPlan.ts, at the speed measured at load). */
export type PlanRequest = (inputs: string[], outputs: string[], options: IPromptOptionsInput) => Promise<{ plan: WorkPlan; seconds: number | null } | null>;

/** The worker's plan for the current data, settings and model, asked again (debounced) when any changes; null until it answers. */
function usePlan(request: PlanRequest | undefined, inputs: string[] | null, outputs: string[] | null, options: IPromptOptionsInput | null) {
  const model = useEngineStore((s) => s.model);
  const [answer, setAnswer] = useState<{ key: string; plan: WorkPlan; seconds: number | null } | null>(null);
  const key = JSON.stringify([model?.name, model && !isServer(model) ? [model.dtype, model.backend.backend] : 'server', model?.loadMs, options, inputs?.length]);
  useEffect(() => {
    if (!request || !model || !inputs || !outputs || inputs.length < 2 || !options) return;
    let live = true;
    const t = setTimeout(() => {
      request(inputs, outputs, options).then(
        (a) => live && a && setAnswer({ key, ...a }),
        () => undefined, // no plan (bad options are shown by the panel): the count-based estimate stays
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // `key` stands for the model and the options; inputs and outputs by identity.
  }, [request, key, inputs, outputs]); // eslint-disable-line react-hooks/exhaustive-deps
  return answer && answer.key === key ? answer : null;
}

export function SettingsPanel({ disabled, plan: requestPlan }: { disabled: boolean; plan?: PlanRequest }) {
  countRender('SettingsPanel');
  const preset = useRunStore((s) => s.preset);
  const overrides = useRunStore((s) => s.overrides);
  const choosePreset = useRunStore((s) => s.choosePreset);
  const setRunOption = useRunStore((s) => s.setOption);
  const pairs = useDataStore((s) => s.pairs);
  const measured = useRunStore((s) => s.measuredSpeed);
  let options: IPromptOptions | null = null;
  let optionsError: string | null = null;
  try {
    options = resolveOptions(resolvedRunOptions({ preset, overrides }));
  } catch (err) {
    optionsError = (err as Error).message;
  }
  const est = options && pairs && pairs.inputs.length > 1 ? estimateWork(pairs.inputs, pairs.outputs, options, measured) : null;
  const model = useEngineStore((s) => s.model);
  const planned = usePlan(requestPlan, pairs?.inputs ?? null, pairs?.outputs ?? null, options ? resolvedRunOptions({ preset, overrides }) : null);

  const setOption = (key: keyof IPromptOptions, raw: string | boolean) => {
    const def = DEFAULT_OPTIONS[key];
    setRunOption(key, typeof def === 'number' ? (raw === '' ? undefined : Number(raw)) : raw);
  };

  return (
    <section className="panel" data-testid="settings">
      <h2>Settings</h2>
      <div className="row">
        {(Object.keys(PRESETS) as PresetName[]).map((name) => (
          <label key={name} title={PRESETS[name].description}>
            <input type="radio" name="preset" data-testid={`preset-${name}`} checked={preset === name} disabled={disabled} onChange={() => choosePreset(name)} /> {PRESETS[name].label}
          </label>
        ))}
      </div>
      <p className="hint">{PRESETS[preset].description}</p>
      {planned ? (
        <p data-testid="estimate" data-seconds={planned.seconds ?? ''}>
          Up to <strong>{planned.plan.steps}</strong> steps; each scores {planned.plan.candidatesPerStep} candidates on {Math.round(planned.plan.rowsPerStep / planned.plan.candidatesPerStep)} examples ({planned.plan.rowsPerStep.toLocaleString()} sequences, ≈{Math.round(planned.plan.tokensPerStep).toLocaleString()} tokens).{' '}
          {planned.seconds !== null && model?.throughput ? (
            <span data-testid="estimate-time">
              About <strong>{formatDuration(Math.max(1, planned.seconds))}</strong> on {model.name}, at the speed measured when it loaded ({Math.round(model.throughput.scoreTokensPerSecond).toLocaleString()} tokens/s scored,{' '}
              {(model.throughput.passMs.fixed + 8 * model.throughput.passMs.perRow).toFixed(1)} ms per generation pass of 8 rows); at most, where the search stops early or repeats itself.
            </span>
          ) : model && isServer(model) ? (
            'No time estimate for a server: its speed depends on its GPUs and its other work; the run shows its time per step as it goes.'
          ) : (
            'The time is shown once the model has measured its speed.'
          )}
        </p>
      ) : (
        est && (
          <p data-testid="estimate">
            Up to <strong>{est.steps}</strong> steps; each scores {est.candidates} candidates on {Math.round(est.sequencesPerStep / est.candidates)} examples ({est.sequencesPerStep.toLocaleString()} sequences, ≈{Math.round(est.tokensPerStep).toLocaleString()} tokens, at 4 characters a token).{' '}
            {est.seconds !== null ? <>About <strong>{formatDuration(Math.max(1, est.seconds))}</strong> at the measured {Math.round(measured!).toLocaleString()} tokens/s.</> : 'The time is shown once the model is loaded.'}
          </p>
        )
      )}
      {optionsError && <div className="error" data-testid="options-error">{optionsError}</div>}
      <details>
        <summary>Advanced: every option</summary>
        <table className="options">
          <tbody>
            {(Object.keys(OPTION_DOCS) as (keyof IPromptOptions)[])
              .filter((k) => !HIDDEN.has(k))
              .map((k) => {
                const value = (overrides as Record<string, unknown>)[k] ?? (PRESETS[preset].options as Record<string, unknown>)[k] ?? DEFAULT_OPTIONS[k];
                const def = DEFAULT_OPTIONS[k];
                return (
                  <tr key={k}>
                    <td>
                      <code>{k}</code>
                    </td>
                    <td>
                      {typeof def === 'boolean' ? (
                        <input type="checkbox" data-testid={`opt-${k}`} disabled={disabled} checked={Boolean(value)} onChange={(e) => setOption(k, e.target.checked)} />
                      ) : k === 'pop_criterion' || k === 'pop_topk_strategy' ? (
                        <select data-testid={`opt-${k}`} disabled={disabled} value={String(value)} onChange={(e) => setOption(k, e.target.value)}>
                          {(k === 'pop_criterion' ? ['loss', 'acc', 'combined'] : ['different_start_token', 'all']).map((v) => (
                            <option key={v}>{v}</option>
                          ))}
                        </select>
                      ) : (
                        <input data-testid={`opt-${k}`} disabled={disabled} type={typeof def === 'number' ? 'number' : 'text'} value={String(value)} onChange={(e) => setOption(k, e.target.value)} style={{ width: typeof def === 'number' ? '7em' : '14em' }} />
                      )}
                    </td>
                    <td className="hint">{OPTION_DOCS[k]}</td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      </details>
    </section>
  );
}
