import fc from 'fast-check';
import { checkRun } from '../check/index.js';
import { runScenario } from '../drive/run-scenario.js';
import { CrosstalkError } from '../errors.js';
import { scenarioArbitrary } from '../scenario/arbitrary.js';
import type { Scenario } from '../scenario/scenario.js';
import type { Failure, FoundFailure, ReplayShape } from './failure.js';
import { breaksAll, failingCase, violatedInvariants } from './failure.js';
import { settleCounterexample } from './replay-check.js';
import type { Evaluated } from './shrink-log.js';
import { ShrinkLog } from './shrink-log.js';
import { SummaryBuilder } from './summary.js';
import { recordSettings } from './recorded-settings.js';
import { tenantsFromAccounts } from './tenants.js';
import { timeBudget } from './time-budget.js';
import { VERIFY_SCHEMA } from './result.js';
import type { VerifyResult } from './result.js';
import type { VerifyServer, VerifySettings } from './settings.js';

export type { VerifyServer, VerifySettings } from './settings.js';
export { VERIFY_SCHEMA } from './result.js';
export type { VerifyResult } from './result.js';
export type { Failure, FoundFailure } from './failure.js';

export const DEFAULT_SHRINK_BUDGET_MS = 30_000;

type Phase = 'search' | 'shrink';

/**
 * Runs the property: randomized scenarios, each through one fresh shared client, every run checked. The first
 * failure is announced as soon as it is seen; shrinking then looks for a smaller case that breaks every invariant it
 * broke, within its own budget, and a candidate must fail twice in a row (a case that fails once by luck would not
 * replay). Returns data; throws only for harness bugs and bad configuration.
 */
export async function verifyAgainst(server: VerifyServer, settings: VerifySettings): Promise<VerifyResult> {
  const started = performance.now();
  const shape: ReplayShape = settings;
  const shrinkBudgetMs = settings.shrinkBudgetMs ?? DEFAULT_SHRINK_BUDGET_MS;
  const arbitrary = scenarioArbitrary({
    tenants: tenantsFromAccounts(server.couch.accounts()),
    maxCallers: settings.callers,
    maxOpsPerCaller: settings.opsPerCaller,
    responsePlan: settings.responsePlan,
    abortPercent: settings.abortPercent,
    idleGapMs: settings.idleGapMs,
  });
  const summary = new SummaryBuilder();
  /** Every run against this server, search, shrink and replay alike: request ids are `r<run>-…`. */
  let runNumber = 0;
  let searchRuns = 0;
  let phase: Phase = 'search';
  let found: FoundFailure | null = null;
  let log: ShrinkLog | null = null;
  let harnessError: unknown = null;
  let interrupted = false;
  let replayPassed = false;
  /** The final counterexample's replay checks are under way (for the history file). */
  let replaying = false;
  /** fast-check abandons a run cut short by the time budget; it must finish before the server is used again. */
  let inFlight: Promise<unknown> = Promise.resolve();

  const execute = async (scenario: Scenario): Promise<Evaluated | null> => {
    runNumber += 1;
    const pending = runScenario(scenario, {
      server,
      factory: settings.factory,
      clientName: settings.clientName,
      connections: settings.connections,
      timeoutMs: settings.timeoutMs,
      deadlineMs: settings.deadlineMs,
      quietMs: settings.quietMs,
      closeBoundMs: settings.closeBoundMs,
      graceMs: settings.graceMs,
      run: runNumber,
      signal: settings.signal,
    });
    inFlight = pending.catch(() => undefined);
    const history = await pending;
    // A run the signal cut short proves nothing either way.
    if (history.interrupted) {
      interrupted = true;
      return null;
    }
    const checks = checkRun(history);
    await settings.onHistory?.({ history, checks, phase: replaying ? 'replay' : phase });
    return { history, checks };
  };

  // Throwing an interrupting precondition failure ends fast-check's loop at once, keeping the smallest failure seen.
  const interrupt = (): never => {
    throw new fc.PreconditionFailure(true);
  };

  const stopped = (): boolean => {
    if (harnessError !== null) return true;
    if (settings.signal?.aborted === true) {
      interrupted = true;
      return true;
    }
    return false;
  };

  const searchStep = async (scenario: Scenario): Promise<boolean> => {
    const evaluated = await execute(scenario);
    if (evaluated === null) return true;
    searchRuns += 1;
    summary.add(evaluated.checks);
    const violated = violatedInvariants(evaluated.checks);
    const runs = settings.path === undefined ? settings.runs : 1;
    settings.onEvent?.({ type: 'search', run: searchRuns, runs, elapsedMs: performance.now() - started });
    // A replayed path that passes is the answer: left alone, fast-check would go on to the case's siblings in the
    // shrink tree, and might report one of them as if the replay had reproduced.
    if (violated.length === 0 && settings.path !== undefined) {
      replayPassed = true;
      return interrupt();
    }
    if (violated.length === 0) return true;
    // fast-check's path to a generated value is its index: this run replays on its own as `--path <index>`.
    const path = settings.path ?? String(searchRuns - 1);
    found = {
      ...failingCase(shape, settings.seed, path),
      run: searchRuns,
      ms: Math.round(performance.now() - started),
      violated,
      scenario,
      checks: evaluated.checks,
    };
    log = new ShrinkLog({ path, evaluated });
    phase = 'shrink';
    settings.onEvent?.({ type: 'found', failure: found });
    return false;
  };

  const shrinkStep = async (scenario: Scenario): Promise<boolean> => {
    const shrink = log!;
    if (performance.now() - shrink.startedAt > shrinkBudgetMs) {
      shrink.ended = 'budget';
      throw new fc.PreconditionFailure(true);
    }
    const target = found!.violated;
    shrink.candidate();
    let accepted = false;
    let evaluated = await execute(scenario);
    shrink.runs += 1;
    if (evaluated !== null && breaksAll(evaluated.checks, target)) {
      // A smaller case must fail a second time: a run can fail by luck (a timer in the client racing the schedule,
      // a timed step), and shrinking towards luck ends in a case whose replay says SAFE. Only accepted candidates pay
      // for this, and they are few.
      const again = await execute(scenario);
      shrink.runs += 1;
      accepted = again !== null && breaksAll(again.checks, target);
      if (accepted) evaluated = again;
    }
    if (accepted) shrink.accept(evaluated!);
    const current = shrink.smallest.evaluated.history;
    settings.onEvent?.({
      type: 'shrink',
      steps: shrink.steps,
      tried: shrink.tried,
      accepted,
      callers: current.scenario.callers.length,
      calls: current.calls.length,
      elapsedMs: performance.now() - shrink.startedAt,
      budgetMs: shrinkBudgetMs,
    });
    return !accepted;
  };

  const property = fc.asyncProperty(arbitrary, async (scenario) => {
    if (stopped()) {
      if (log !== null) log.ended = 'interrupted';
      return interrupt();
    }
    try {
      return phase === 'search' ? await searchStep(scenario) : await shrinkStep(scenario);
    } catch (error) {
      if (fc.PreconditionFailure.isFailure(error)) throw error;
      // Not a verdict on the client: remember it, stop fast-check, rethrow below.
      harnessError = error;
      return interrupt();
    }
  });

  const details = await fc.check(property, {
    seed: settings.seed,
    numRuns: settings.path === undefined ? settings.runs : 1,
    path: settings.path,
    endOnFailure: settings.path !== undefined || settings.noShrink === true,
    plugins: [timeBudget(settings.timeBudgetMs)],
  });
  await inFlight;
  if (harnessError !== null) throw harnessError;
  if (details.failed && details.errorInstance !== null && found === null) {
    throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  }
  const shrinking = log as ShrinkLog | null;
  if (interrupted && shrinking !== null && shrinking.ended === 'exhausted') shrinking.ended = 'interrupted';
  // The paths the log computed must be fast-check's own, or a printed replay would run some other case.
  const fastCheckPath = details.counterexamplePath;
  if (shrinking !== null && fastCheckPath !== null && fastCheckPath !== shrinking.smallest.path) {
    throw new CrosstalkError('CROSSTALK_PATH', `harness bug: shrinking reached path ${shrinking.smallest.path}, fast-check says ${fastCheckPath}`);
  }

  const firstFailure = found as FoundFailure | null;
  let failure: Failure | null = null;
  let replayRuns = 0;
  if (firstFailure !== null && shrinking !== null) {
    const shrunk = settings.path === undefined && settings.noShrink !== true;
    const stats = shrunk ? shrinking.stats(shrinkBudgetMs) : null;
    const replayChecks = interrupted ? 0 : (settings.replayChecks ?? 0);
    replaying = true;
    const settled =
      replayChecks > 0
        ? await settleCounterexample(shrinking, replayChecks, firstFailure.violated, {
            seed: settings.seed,
            arbitrary,
            execute: async (scenario) => {
              replayRuns += 1;
              return (await execute(scenario))?.checks ?? null;
            },
            onEvent: settings.onEvent,
          })
        : { chosen: shrinking.smallest, replayCheck: null, flakySmallest: null };
    const chosen = settled.chosen;
    failure = {
      ...failingCase(shape, settings.seed, chosen.path),
      numShrinks: shrinking.accepted.indexOf(chosen),
      shrink: stats,
      replayCheck: settled.replayCheck,
      flakySmallest: settled.flakySmallest,
      scenario: chosen.evaluated.history.scenario,
      history: chosen.evaluated.history,
      checks: chosen.evaluated.checks,
    };
  }
  const invariants = summary.build();
  for (const check of failure?.checks ?? []) {
    if (check.status === 'violated') invariants.find((i) => i.invariant === check.invariant)!.status = 'violated';
  }
  const cutShort = interrupted || (details.interrupted && !replayPassed);
  return {
    schema: VERIFY_SCHEMA,
    client: settings.clientName,
    connections: settings.connections,
    callers: settings.callers,
    opsPerCaller: settings.opsPerCaller,
    seed: settings.seed,
    settings: recordSettings(settings),
    verdict: failure !== null ? 'violated' : cutShort ? 'inconclusive' : 'safe',
    interrupted,
    runs: searchRuns,
    shrinkRuns: shrinking?.runs ?? 0,
    replayRuns,
    elapsedMs: Math.round(performance.now() - started),
    invariants,
    firstFailure,
    failure,
  };
}

