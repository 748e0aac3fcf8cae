import fc from 'fast-check';
import type { CheckResult, InvariantId } from '../check/index.js';
import type { Scenario } from '../scenario/scenario.js';
import type { VerifyEventListener } from './events.js';
import type { ReplayCheck } from './failure.js';
import { breaksAll } from './failure.js';

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
