import { describe, expect, it } from 'vitest';
import type { PoolSnapshot, ScoredCandidate, StepEvent } from '../../iprompt/index.ts';
import { MAX_POINTS, MAX_STREAM, reduceSearchEvents, type SearchStreamEvent } from './runEvents.ts';
import { EMPTY_RUN, useRunStore } from './runStore.ts';

const cand = (ids: number[], text: string, loss: number, extra: Partial<ScoredCandidate> = {}): ScoredCandidate => ({ ids, text, kind: 'proposal', loss, accuracy: 0, ...extra });
const snap = (text: string, meanLoss: number): PoolSnapshot => ({ text, ids: [1], meanLoss, meanAccuracy: 0.5, timesScored: 1, firstStep: 1, origin: { kind: 'proposal' } });

function step(n: number, candidates: ScoredCandidate[], best: PoolSnapshot): StepEvent {
  return { type: 'step', step: n, epoch: 0, examplesSeen: n * 4, plannedSteps: 10, truncateAt: 1, candidates, top: [best], best, stepLoss: Math.min(...candidates.map((c) => c.loss)), stepAccuracy: 0.25, poolSize: candidates.length, tokens: 100 * n, elapsedMs: 1000 * n, tokensPerSecond: 100, unchangedSteps: 0 };
}

const empty = { series: [], points: [], leader: null, lineage: new Map() };

describe('reduceSearchEvents', () => {
  it('adds one curve point per step with the mean of its candidates, and keeps the first sighting of each prompt', () => {
    const a = cand([5, 6], ' Add', 2);
    const b = cand([7], ' Sum', 4);
    const c = cand([5, 9], ' Ad x', 3, { kind: 'mutation', parentIds: [5, 6], truncateAt: 1, keptText: ' Ad' });
    const patch = reduceSearchEvents(empty, [step(1, [a, b], snap(' Add', 2)), step(2, [a, c], snap(' Add', 2.5))]);
    // Means by hand: (2 + 4) / 2 = 3 and (2 + 3) / 2 = 2.5.
    expect(patch.series).toEqual([
      { step: 1, bestLoss: 2, meanLoss: 3, bestAccuracy: 0.25 },
      { step: 2, bestLoss: 2, meanLoss: 2.5, bestAccuracy: 0.25 },
    ]);
    expect(patch.points).toHaveLength(4);
    // ' Add' was scored again at step 2: its entry still says step 1 and its first loss.
    expect(patch.lineage!.get('5,6')).toEqual({ text: ' Add', parent: undefined, truncateAt: undefined, firstStep: 1, kind: 'proposal', loss: 2 });
    expect(patch.lineage!.get('5,9')).toMatchObject({ parent: '5,6', truncateAt: 1, firstStep: 2, kind: 'mutation' });
    expect(patch.lineage!.size).toBe(3);
    // The stream is the latest step's candidates only, with a mutation's kept words.
    expect(patch.stream).toEqual([
      { step: 2, kind: 'proposal', text: ' Add', loss: 2, accuracy: 0 },
      { step: 2, kind: 'mutation', text: ' Ad x', loss: 3, accuracy: 0, kept: ' Ad', truncateAt: 1 },
    ]);
    expect(patch).toMatchObject({ step: 2, examplesSeen: 8, tokens: 200, elapsedMs: 2000 });
  });

  it('a leader keeps the step it took the lead at while it stays best, and a new one starts its own count', () => {
    const a = cand([1], ' A', 1);
    const p1 = reduceSearchEvents(empty, [step(1, [a], snap(' A', 1)), step(2, [a], snap(' A', 0.9))]);
    expect(p1.leader).toEqual({ text: ' A', since: 1, loss: 0.9, accuracy: 0.5 });
    // Across bursts too: the state's leader carries over.
    const p2 = reduceSearchEvents({ ...empty, leader: p1.leader! }, [step(3, [a], snap(' A', 0.8)), step(4, [a], snap(' B', 0.7))]);
    expect(p2.leader).toEqual({ text: ' B', since: 4, loss: 0.7, accuracy: 0.5 });
  });

  it('never holds more than MAX_STREAM stream rows, and thins older scatter points beyond MAX_POINTS', () => {
    const many = Array.from({ length: MAX_STREAM + 30 }, (_, i) => cand([i], `p${i}`, i));
    const patch = reduceSearchEvents(empty, [step(1, many, snap('p0', 0))]);
    expect(patch.stream).toHaveLength(MAX_STREAM);
    // One point over the cap: the older MAX_POINTS / 2 + 1 keep every other one (indices 0, 2, ..., 3000: 1,501), the newest 3,000 stay.
    const points = Array.from({ length: MAX_POINTS }, (_, i) => ({ step: 0, loss: i, text: '', kind: 'proposal' }));
    const thinned = reduceSearchEvents({ ...empty, points }, [step(1, [cand([1], 'x', 1)], snap('x', 1))]).points!;
    expect(thinned).toHaveLength(1501 + 3000);
    expect(thinned.at(-1)).toMatchObject({ text: 'x', step: 1 });
    expect(thinned[1].loss).toBe(2);
  });

  it('maps pause, resume, ranking and start events to the run status and sizes, and leaves untouched fields out', () => {
    const sizes = { plannedSteps: 7 } as never;
    const events: SearchStreamEvent[] = [{ type: 'start', options: {} as never, sizes }, { type: 'paused' } as SearchStreamEvent, { type: 'resumed' } as SearchStreamEvent];
    expect(reduceSearchEvents(empty, events)).toEqual({ sizes, status: 'running' });
    expect(reduceSearchEvents(empty, [{ type: 'ranking', done: 2, total: 5, phase: 'clean' } as SearchStreamEvent])).toEqual({ status: 'ranking', ranking: { done: 2, total: 5, phase: 'clean' } });
  });
});

describe('the run store', () => {
  it('keeps the measured speed once a run ends and starts the next run from scratch', () => {
    const s = useRunStore.getState();
    s.startRun();
    useRunStore.getState().applyEvents([step(1, [cand([1], ' A', 1)], snap(' A', 1))]);
    expect(useRunStore.getState().lineage.size).toBe(1);
    useRunStore.getState().failRun({ code: 'INTERNAL', message: 'x', remedy: '' } as never);
    expect(useRunStore.getState().measuredSpeed).toBe(100);
    useRunStore.getState().startRun();
    const after = useRunStore.getState();
    expect(after).toMatchObject({ ...EMPTY_RUN, status: 'running', lineage: new Map(), measuredSpeed: 100 });
  });

  it('setOption removes an option set back to undefined; choosePreset clears the overrides', () => {
    const s = useRunStore.getState();
    s.choosePreset('paper');
    s.setOption('seed', 3);
    s.setOption('n_shots', 2);
    s.setOption('seed', undefined);
    expect(useRunStore.getState().overrides).toEqual({ n_shots: 2 });
    useRunStore.getState().choosePreset('quick');
    expect(useRunStore.getState()).toMatchObject({ preset: 'quick', overrides: {} });
  });
});
