import type { CheckResult, InvariantId } from '../check/index.js';
import type { RunHistory } from '../history/run-history.js';
import type { Scenario } from '../scenario/scenario.js';

/** How shrinking went: the steps fast-check took towards a smaller case, and why it stopped. */
export interface ShrinkStats {
  /** Smaller cases accepted (each broke every invariant the first failure broke; twice, if its run was timed). */
  steps: number;
  /** Candidates tried, accepted or not (a confirmation run is not counted). */
  tried: number;
  /** Runs spent shrinking, confirmations included. */
  runs: number;
  ms: number;
  budgetMs: number;
  /** `exhausted`: no smaller failing case exists; `budget`: the shrink budget ran out; `interrupted`: a signal. */
  ended: 'exhausted' | 'budget' | 'interrupted';
}

/** How often the final counterexample reproduced when run again from its seed and path. */
export interface ReplayCheck {
  replays: number;
  reproduced: number;
}

/** A failing case as the user replays it: seed, path, and the commands that paste. */
export interface FailingCase {
  seed: number;
  path: string;
  /** Paste into fast-check's parameters (e.g. a vitest property) to replay. */
  fastCheck: string;
  /** A shell command that replays the case. */
  replay: string;
}

/** The first failing run, as found: reported at once, before any shrinking. */
export interface FoundFailure extends FailingCase {
  /** Run number (1-based, counting only the search) and ms since the start. */
  run: number;
  ms: number;
  /** The invariants it broke: every shrink candidate must break them all. */
  violated: InvariantId[];
  scenario: Scenario;
  checks: CheckResult[];
}

/** The final counterexample: the smallest failing case shrinking reached, with its whole history. */
export interface Failure extends FailingCase {
  /** Accepted shrink steps (fast-check's numShrinks). */
  numShrinks: number;
  shrink: ShrinkStats | null;
  /** Null when the self-check was skipped (`--check-replay 0`). */
  replayCheck: ReplayCheck | null;
  /**
   * The smallest case shrinking reached, when it did not replay every time and this (larger) one, which does, is
   * reported instead.
   */
  flakySmallest: { path: string; replayCheck: ReplayCheck } | null;
  scenario: Scenario;
  history: RunHistory;
  checks: CheckResult[];
}

/** What the replay command needs beyond the seed and the path. */
export interface ReplayShape {
  clientName: string;
  connections: number;
  callers: number;
  opsPerCaller: number;
  replayArgs?: string[];
}

export function failingCase(shape: ReplayShape, seed: number, path: string): FailingCase {
  const args = [
    'npx crosstalk verify',
    `--client ${shape.clientName}`,
    `--connections ${shape.connections}`,
    `--callers ${shape.callers}`,
    `--ops ${shape.opsPerCaller}`,
    `--seed ${seed}`,
    `--path ${path}`,
    ...(shape.replayArgs ?? []),
  ];
  return { seed, path, fastCheck: `{ seed: ${seed}, path: "${path}", endOnFailure: true }`, replay: args.join(' ') };
}

export function violatedInvariants(checks: CheckResult[]): InvariantId[] {
  return checks.filter((c) => c.status === 'violated').map((c) => c.invariant);
}

/** Whether `checks` break every invariant of `target`: the failure a shrink candidate or a replay must keep. */
export function breaksAll(checks: CheckResult[], target: readonly InvariantId[]): boolean {
  const violated = new Set(violatedInvariants(checks));
  return target.length > 0 && target.every((id) => violated.has(id));
}
