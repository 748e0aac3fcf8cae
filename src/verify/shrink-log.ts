import type { CheckResult } from '../check/index.js';
import type { RunHistory } from '../history/run-history.js';
import type { ShrinkStats } from './failure.js';

/** A run and the checks of its history. */
export interface Evaluated {
  history: RunHistory;
  checks: CheckResult[];
}

/** A failing case on the way down: its fast-check path, and the run that showed it failing. */
export interface AcceptedCase {
  path: string;
  evaluated: Evaluated;
}

/**
 * The record of one shrinking: every case accepted on the way from the first failure to the smallest, each with the
 * fast-check path that replays it. fast-check's path is the index of the generated value, then, per accepted step,
 * the index of the candidate in the shrink stream of the case before; candidates are tried in stream order, so
 * counting them here gives the path of every case, not only of the last.
 */
export class ShrinkLog {
  readonly accepted: AcceptedCase[];
  steps = 0;
  tried = 0;
  runs = 0;
  ended: ShrinkStats['ended'] = 'exhausted';
  readonly startedAt = performance.now();
  /** Candidates tried since the last accepted case: the next accepted one's index in its stream. */
  private atLevel = 0;

  constructor(first: AcceptedCase) {
    this.accepted = [first];
  }

  get smallest(): AcceptedCase {
    return this.accepted[this.accepted.length - 1]!;
  }

  /** A candidate is being tried (before it runs). */
  candidate(): void {
    this.tried += 1;
    this.atLevel += 1;
  }

  /** The candidate just tried failed as the first failure did: it is the new smallest case. */
  accept(evaluated: Evaluated): void {
    this.steps += 1;
    this.accepted.push({ path: `${this.smallest.path}:${this.atLevel - 1}`, evaluated });
    this.atLevel = 0;
  }

  stats(budgetMs: number): ShrinkStats {
    return {
      steps: this.steps,
      tried: this.tried,
      runs: this.runs,
      ms: Math.round(performance.now() - this.startedAt),
      budgetMs,
      ended: this.ended,
    };
  }
}
