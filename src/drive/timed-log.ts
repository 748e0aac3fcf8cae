import type { TimedStep } from '../history/run-history.js';

/** The most timed steps a history keeps (the count is kept whole). */
const KEPT = 20;

/** The run's steps that waited on the wall clock: the first few, and how many there were. */
export class TimedLog {
  readonly steps: TimedStep[] = [];
  count = 0;

  add(step: TimedStep): void {
    this.count += 1;
    if (this.steps.length < KEPT) this.steps.push(step);
  }
}
