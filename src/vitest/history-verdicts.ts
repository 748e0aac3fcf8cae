import type { CheckResult, InvariantId } from '../check/index.js';
import { checkRun, INVARIANTS } from '../check/index.js';
import { RUN_HISTORY_SHAPE } from '../history/history-shape.js';
import type { RunHistory } from '../history/run-history.js';
import { shapeProblem } from '../history/shape.js';
import type { VerifyResult } from '../verify/verify.js';

/** What the matchers accept: one run's history, or a whole verification's result (its counterexample, if any). */
export type HistoryLike = RunHistory | VerifyResult;

export interface InvariantVerdict {
  invariant: InvariantId;
  status: CheckResult['status'];
  violations: CheckResult['violations'];
  figures: Record<string, number>;
  /** The replay command, when the verdict comes from a verification's counterexample. */
  replay: string | null;
  /** For a verification cut short by its time budget: no violation seen, but not every run made. */
  inconclusive: boolean;
}

function isResult(value: object): value is VerifyResult {
  return 'invariants' in value && 'verdict' in value;
}

/**
 * The verdict on one invariant: a history is checked now; a verification result gives its counterexample's checks,
 * or, when it found none, its summary over the runs. Anything else is a TypeError, so `.not` cannot pass on it.
 */
export function verdictOn(received: unknown, invariant: InvariantId): InvariantVerdict {
  if (typeof received !== 'object' || received === null) {
    throw new TypeError(`crosstalk matchers take a RunHistory or a VerifyResult, got ${received === null ? 'null' : typeof received}.`);
  }
  if (isResult(received)) {
    const failure = received.failure;
    if (failure !== null) {
      const check = failure.checks.find((c) => c.invariant === invariant);
      return {
        invariant,
        status: check?.status ?? 'not-exercised',
        violations: check?.violations ?? [],
        figures: check?.figures ?? {},
        replay: failure.replay,
        inconclusive: false,
      };
    }
    const summary = received.invariants.find((i) => i.invariant === invariant);
    return {
      invariant,
      status: summary?.status ?? 'not-exercised',
      violations: [],
      figures: summary?.figures ?? {},
      replay: null,
      inconclusive: received.verdict === 'inconclusive',
    };
  }
  const problem = shapeProblem(received, RUN_HISTORY_SHAPE);
  if (problem !== null) throw new TypeError(`crosstalk matchers take a RunHistory or a VerifyResult; this is neither (${problem}).`);
  const check = checkRun(received as RunHistory).find((c) => c.invariant === invariant)!;
  return { ...check, replay: null, inconclusive: false };
}

export function ruleOf(invariant: InvariantId): string {
  return INVARIANTS.find((i) => i.id === invariant)?.rule ?? invariant;
}
