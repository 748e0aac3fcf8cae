import fc from 'fast-check';
import type { CheckResult, InvariantId } from '../check/index.js';
import type { Scenario } from '../scenario/scenario.js';
import type { VerifyEventListener } from './events.js';
import type { ReplayCheck } from './failure.js';
import { breaksAll } from './failure.js';
import type { AcceptedCase, ShrinkLog } from './shrink-log.js';

export interface ReplayContext {
  seed: number;
  arbitrary: fc.Arbitrary<Scenario>;
  /** Runs one scenario and checks it; null when the run was cut short (it then counts as not reproduced). */
  execute: (scenario: Scenario) => Promise<CheckResult[] | null>;
  onEvent?: VerifyEventListener;
}

/**
 * Replays a counterexample the way a user would, from its seed and path (so generation is exercised too), `times`
 * times, counting the replays that break every invariant of `target` again. A counterexample that does not always
 * reproduce depends on a timing the schedule does not fix, and the report says so.
 */
export async function checkReplays(
  path: string,
  times: number,
  target: readonly InvariantId[],
  context: ReplayContext,
): Promise<ReplayCheck> {
  let reproduced = 0;
  for (let done = 1; done <= times; done += 1) {
    let checks: CheckResult[] | null = null;
    // One value, the one at `path`: interrupting right after it keeps fast-check from trying the case's siblings.
    const property = fc.asyncProperty(context.arbitrary, async (scenario) => {
      checks = await context.execute(scenario);
      throw new fc.PreconditionFailure(true);
    });
    await fc.check(property, { seed: context.seed, path, numRuns: 1 });
    if (checks !== null && breaksAll(checks, target)) reproduced += 1;
    context.onEvent?.({ type: 'replay', done, of: times, reproduced });
  }
  return { replays: times, reproduced };
}

/** The counterexample to report, how it replayed, and the smaller one passed over because it did not. */
export interface Settled {
  chosen: AcceptedCase;
  replayCheck: ReplayCheck;
  /** The smallest case shrinking reached, when it was flaky and a larger one that reproduces every time was chosen. */
  flakySmallest: { path: string; replayCheck: ReplayCheck } | null;
}

/** Larger cases tried when the smallest is flaky, at most. */
const FALLBACKS = 4;

/**
 * Replays the smallest case `times` times. If it does not reproduce every time, walks back up the shrinking (the
 * cases accepted before it, smallest first, at most FALLBACKS of them, the first failure last) and reports the
 * first that does, naming the flaky smaller one: a counterexample is worth most when its replay can be trusted.
 */
export async function settleCounterexample(
  log: ShrinkLog,
  times: number,
  target: readonly InvariantId[],
  context: ReplayContext,
): Promise<Settled> {
  const smallest = log.smallest;
  const first = await checkReplays(smallest.path, times, target, context);
  if (first.reproduced === times) return { chosen: smallest, replayCheck: first, flakySmallest: null };
  const larger = log.accepted.slice(0, -1).reverse();
  const tried = [...larger.slice(0, FALLBACKS - 1), ...(larger.length >= FALLBACKS ? [log.accepted[0]!] : [])];
  for (const candidate of tried) {
    const check = await checkReplays(candidate.path, times, target, context);
    if (check.reproduced === times) {
      return { chosen: candidate, replayCheck: check, flakySmallest: { path: smallest.path, replayCheck: first } };
    }
  }
  return { chosen: smallest, replayCheck: first, flakySmallest: null };
}
