import { expect } from 'vitest';
import type { CheckResult, InvariantId, Violation } from '../../src/check/index.js';
import type { RunHistory } from '../../src/history/run-history.js';
import type { VerifyResult, VerifyServer, VerifySettings } from '../../src/verify/verify.js';
import { verifyAgainst } from '../../src/verify/verify.js';

/**
 * "A harness is worth its teeth": the assertions every buggy-client test makes — the targeted invariant is violated
 * in the counterexample, its message names ids that locate it, and replaying the counterexample's seed and path
 * reproduces it — and the control's (the correct mini pool passes the very same settings).
 */

export { teethSettings } from './teeth-settings.js';

/** What a fault class adds to `teethSettings`: its response plan, and the caller aborts or idle gaps it needs. */
export type FaultSettings = Pick<VerifySettings, 'responsePlan' | 'abortPercent' | 'idleGapMs'>;

/**
 * `settings` with one fault class on, the first failing run reported as found. Shrinking keeps to the invariants the
 * first failing run broke but drifts among them to whatever fails most simply (a late reply read by the next caller,
 * no-cross-talk, shrinks to two requests in flight on one socket, pool-bound only); a fault test is about which
 * invariant sees the bug, so it keeps the run in which it was seen. `firstFailure.run` is then runs-to-detection.
 */
export function withFault(settings: VerifySettings, fault: FaultSettings): VerifySettings {
  return { ...settings, ...fault, noShrink: true };
}

/** The same settings with every fault off: no server faults, no caller aborts, no idle gaps. */
export function faultsOff(settings: VerifySettings): VerifySettings {
  return { ...settings, responsePlan: undefined, abortPercent: 0, idleGapMs: undefined, noShrink: true };
}

function violatedChecks(checks: CheckResult[]): string {
  const lines = checks
    .filter((c) => c.status === 'violated')
    .flatMap((c) => c.violations.slice(0, 3).map((v) => `  ${c.invariant}: ${v.message}`));
  return lines.length > 0 ? lines.join('\n') : '  (no violation)';
}

/** One line for assertion messages: the verdict, the pasteable replay, and what was violated. */
export function describeResult(result: VerifyResult): string {
  if (result.failure === null) {
    const summary = result.invariants.map((i) => `${i.invariant}=${i.status}`).join(' ');
    return `${result.client}: ${result.verdict} after ${result.runs} runs (seed ${result.seed}); ${summary}`;
  }
  // The summary stops at the first failing run, so it tells what shrinking started from.
  const firstFailing = result.invariants.filter((i) => i.violatedRuns > 0).map((i) => i.invariant);
  return (
    `${result.client}: ${result.verdict}, replay ${result.failure.fastCheck}; first failing run violated ` +
    `[${firstFailing.join(', ')}], the counterexample:\n${violatedChecks(result.failure.checks)}`
  );
}

/** The request and socket ids of `history` that `violation`'s message mentions. */
export function idsNamed(violation: Violation, history: RunHistory): string[] {
  const requestIds = new Set([
    ...history.calls.map((c) => c.requestId),
    ...history.server.requests.map((r) => r.requestId),
  ]);
  const named = [...requestIds].filter((id) => violation.message.includes(id));
  const socketIds = new Set(history.server.sockets.map((s) => s.socketId));
  for (const match of violation.message.matchAll(/sockets? ((?:\d+(?:, | and )?)+)/g)) {
    for (const id of match[1]!.split(/, | and /)) if (socketIds.has(Number(id))) named.push(`socket ${id}`);
  }
  return named;
}

export interface CaughtOptions {
  /** Some violation of the invariant in the counterexample says this: the class of failure, not just its invariant. */
  message?: RegExp;
  /**
   * Replays allowed before the counterexample counts as not reproduced (default 1). Only for bugs that need a timing
   * the scenario cannot pin (an abort landing while a request is in flight, a request landing more than FIN_RACE_MS
   * after a FIN): their replays reproduce most of the time, not always.
   */
  replayAttempts?: number;
}

/** Runs the property against a buggy client and asserts that `invariant` caught it, reproducibly. */
export async function expectCaught(
  server: VerifyServer,
  invariant: InvariantId,
  settings: VerifySettings,
  options: CaughtOptions = {},
): Promise<VerifyResult> {
  const result = await verifyAgainst(server, settings);
  expect(result.verdict, describeResult(result)).toBe('violated');
  const failure = result.failure!;
  const check = failure.checks.find((c) => c.invariant === invariant);
  expect.soft(check?.status, `${invariant} in the counterexample — ${describeResult(result)}`).toBe('violated');
  for (const violation of check?.violations ?? []) {
    // Soft: a message without ids is worth reporting, but the replay below is still worth checking.
    expect.soft(idsNamed(violation, failure.history), `ids named by: ${violation.message}`).not.toEqual([]);
  }
  if (options.message !== undefined) {
    const messages = (check?.violations ?? []).map((v) => v.message);
    const said = messages.some((m) => options.message!.test(m));
    expect.soft(said, `${options.message} among:\n${messages.join('\n')}`).toBe(true);
  }

  let replay = await verifyAgainst(server, { ...settings, seed: failure.seed, path: failure.path });
  for (let attempt = 1; attempt < (options.replayAttempts ?? 1) && !reproduces(replay, invariant); attempt += 1) {
    replay = await verifyAgainst(server, { ...settings, seed: failure.seed, path: failure.path });
  }
  const replayed = replay.failure?.checks.find((c) => c.invariant === invariant);
  expect(replay.verdict, `replay of ${failure.fastCheck} — ${describeResult(replay)}`).toBe('violated');
  expect(replayed?.status, `replay of ${failure.fastCheck} — ${describeResult(replay)}`).toBe('violated');
  return result;
}

function reproduces(replay: VerifyResult, invariant: InvariantId): boolean {
  return replay.failure?.checks.some((c) => c.invariant === invariant && c.status === 'violated') === true;
}

/** The control: the same settings, no violation. */
export async function expectSafe(server: VerifyServer, settings: VerifySettings): Promise<VerifyResult> {
  const result = await verifyAgainst(server, settings);
  expect(result.verdict, describeResult(result)).toBe('safe');
  return result;
}
