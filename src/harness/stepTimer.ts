/**
 * Milliseconds per iPrompt step, as the engine benchmark measures them: from the first step's
 * event (the first step also builds the initial population, so it is left out) until at least
 * `minMs` have passed, and at least one step. Fed the step events of a run; says when it has enough.
 */
export class StepTimer {
  private first: number | null = null;
  private last = 0;
  private steps = 0;

  constructor(
    private readonly minMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records a step event; true once enough steps have been timed (stop the run then). */
  step(): boolean {
    const t = this.now();
    if (this.first === null) {
      this.first = t;
      return false;
    }
    this.steps++;
    this.last = t;
    return t - this.first >= this.minMs;
  }

  result(): { msPerStep: number; steps: number } {
    if (this.first === null || this.steps === 0) throw new Error('no step after the first was timed');
    return { msPerStep: (this.last - this.first) / this.steps, steps: this.steps };
  }
}
