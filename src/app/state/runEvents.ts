/**
 * What a burst of search events does to the run view's state: a pure function, so the store's
 * `applyEvents` action is one line and the arithmetic (the mean per step, the leader and since
 * when it has led, the bounded stream and scatter, the first sighting of each prompt for the
 * lineage tree) can be checked against hand-worked values without a browser.
 */
import type { SearchEvent } from '../../iprompt/index.ts';
import type { CandidatePoint, LineageEntry, RunState, StepPoint } from './runStore.ts';

/** A search event as the worker forwards it (the result message carries 'done'). */
export type SearchStreamEvent = Exclude<SearchEvent, { type: 'done' }>;

/** Most candidate points kept for the scatter chart (older steps are thinned beyond this). */
export const MAX_POINTS = 6000;
/** Most rows of the candidate stream (the latest step's candidates; the default settings make 60). */
export const MAX_STREAM = 120;

type Slice = Pick<RunState, 'series' | 'points' | 'leader' | 'lineage'>;

/** The patch that `events` make to `s` (fields they do not touch are absent). */
export function reduceSearchEvents(s: Slice, events: readonly SearchStreamEvent[]): Partial<RunState> {
  const patch: Partial<RunState> = {};
  let series: StepPoint[] | null = null;
  let points: CandidatePoint[] | null = null;
  let lineage: Map<string, LineageEntry> | null = null;
  let leader = s.leader;
  for (const e of events) {
    switch (e.type) {
      case 'start':
        patch.sizes = e.sizes;
        break;
      case 'step': {
        series ??= [...s.series];
        points ??= [...s.points];
        const losses = e.candidates.map((c) => c.loss);
        series.push({ step: e.step, bestLoss: e.stepLoss, meanLoss: losses.reduce((a, b) => a + b, 0) / Math.max(1, losses.length), bestAccuracy: e.stepAccuracy });
        for (const c of e.candidates) {
          points.push({ step: e.step, loss: c.loss, text: c.text, kind: c.kind });
          const key = c.ids.join(',');
          // First sighting only: a prompt rescored later keeps the step and parent it came from.
          if (!(lineage ?? s.lineage).has(key)) {
            lineage ??= new Map(s.lineage);
            lineage.set(key, { text: c.text, parent: c.parentIds?.join(','), truncateAt: c.truncateAt, firstStep: e.step, kind: c.kind, loss: c.loss });
          }
        }
        patch.stream = e.candidates.slice(0, MAX_STREAM).map((c) => ({ step: e.step, kind: c.kind, text: c.text, loss: c.loss, accuracy: c.accuracy, ...(c.keptText !== undefined && { kept: c.keptText, truncateAt: c.truncateAt }) }));
        leader = leader && leader.text === e.best.text ? { ...leader, loss: e.best.meanLoss, accuracy: e.best.meanAccuracy } : { text: e.best.text, since: e.step, loss: e.best.meanLoss, accuracy: e.best.meanAccuracy };
        patch.leader = leader;
        Object.assign(patch, { step: e.step, epoch: e.epoch, examplesSeen: e.examplesSeen, tokens: e.tokens, tokensPerSecond: e.tokensPerSecond, elapsedMs: e.elapsedMs, top: e.top });
        break;
      }
      case 'paused':
        patch.status = 'paused';
        break;
      case 'resumed':
        patch.status = 'running';
        break;
      case 'ranking':
        patch.status = 'ranking';
        patch.ranking = { done: e.done, total: e.total, phase: e.phase };
        break;
    }
  }
  if (series) patch.series = series;
  if (points) patch.points = points.length > MAX_POINTS ? thinOlderHalf(points) : points;
  if (lineage) patch.lineage = lineage;
  return patch;
}

/** Every other point of the older ones, the newest MAX_POINTS / 2 as they are. */
function thinOlderHalf(points: CandidatePoint[]): CandidatePoint[] {
  return points.filter((_, i) => i % 2 === 0 || i >= points.length - MAX_POINTS / 2);
}
