import { describe, expect, it } from 'vitest';
import { StepTimer } from './stepTimer.ts';

describe('StepTimer', () => {
  it('times the steps after the first until minMs have passed, and says when it has enough', () => {
    let now = 0;
    const t = new StepTimer(100, () => now);
    now = 500; // the first step (initial population included) ends at 500
    expect(t.step()).toBe(false);
    now = 560;
    expect(t.step()).toBe(false);
    now = 640;
    expect(t.step()).toBe(true);
    expect(t.result()).toEqual({ msPerStep: 70, steps: 2 });
  });

  it('a step longer than minMs is one step; no step after the first is an error', () => {
    let now = 0;
    const t = new StepTimer(100, () => now);
    expect(() => t.result()).toThrow(/no step/);
    t.step();
    expect(() => t.result()).toThrow(/no step/);
    now = 250;
    expect(t.step()).toBe(true);
    expect(t.result()).toEqual({ msPerStep: 250, steps: 1 });
  });
});
