import fc from 'fast-check';
import type { ClientFactory } from '../clients/contract.js';
import { checkRun } from '../check/index.js';
import type { CheckResult } from '../check/index.js';
import type { HarnessServer } from '../drive/harness-server.js';
import { runScenario } from '../drive/run-scenario.js';
import type { RunHistory } from '../history/run-history.js';
import { scenarioArbitrary } from '../scenario/arbitrary.js';
import type { ScenarioConstraints } from '../scenario/arbitrary.js';
import type { Scenario } from '../scenario/scenario.js';
import type { AccountFixture } from '../server/couch/types.js';
import type { VerifyEventListener } from './events.js';
import type { CheckedRun } from './history-log.js';
import type { Failure, FoundFailure, ReplayShape, ShrinkStats } from './failure.js';
import { breaksAll, failingCase, violatedInvariants } from './failure.js';
import { checkReplays } from './replay-check.js';
import type { InvariantSummary } from './summary.js';
import { SummaryBuilder } from './summary.js';
import type { RecordedSettings } from './recorded-settings.js';
import { recordSettings } from './recorded-settings.js';
import { tenantsFromAccounts } from './tenants.js';
import { timeBudget } from './time-budget.js';

/**
 * The version of a result's shape, saved files included (`verify --json`; read back by `crosstalk check` and
 * `crosstalk report`). Bump it when a field is renamed, removed or made required; new optional fields need no bump.
 * 2: the first failure as found, shrink and replay statistics, and the settings the verification ran with.
 */
export const VERIFY_SCHEMA = 2 as const;

export interface VerifySettings {
  /** Registry name or module path, for reports and the replay command. */
  clientName: string;
  factory: ClientFactory;
  connections: number;
  callers: number;
  opsPerCaller: number;
  runs: number;
  seed: number;
  /** fast-check's counterexample path: replays exactly that case (no shrinking). */
  path?: string;
  timeoutMs: number;
  deadlineMs: number;
  /** Pending calls with nothing happening for this long are hung (default DEFAULT_QUIET_MS). */
  quietMs?: number;
  closeBoundMs: number;
  graceMs: number;
  /** Server-side response plans (faults); defaults to well-behaved timing only. */
  responsePlan?: ScenarioConstraints['responsePlan'];
  abortPercent?: number;
  idleGapMs?: [number, number];
  /**
   * Wall-clock budget for the whole property, shrinking included. A failure found in time is reported with the
   * smallest counterexample reached; runs cut short without a failure make the verdict `inconclusive`.
   */
  timeBudgetMs: number;
  /** Wall-clock budget for shrinking, from the first failure (default 30 s): past it, the smallest case so far. */
  shrinkBudgetMs?: number;
  /** Replays of the final counterexample that check it reproduces (default 0 here; the CLI's default is 5). */
  replayChecks?: number;
  /** Report the first failure as found, without shrinking (benchmarks measure time to first detection). */
  noShrink?: boolean;
  /** The names of the faults `responsePlan` draws from, for the result's record (null or absent: faults off). */
  faults?: string[] | null;
  /** Extra arguments the replay command needs (e.g. `--faults`), appended verbatim. */
  replayArgs?: string[];
  /** Stops the verification: the run under way ends at once, and what was found so far is the result. */
  signal?: AbortSignal;
  onEvent?: VerifyEventListener;
  /** Each run once checked (`verify --history`); a promise returned is awaited, so a slow disk slows the runs. */
  onHistory?: (run: CheckedRun) => void | Promise<void>;
}

export interface VerifyServer extends HarnessServer {
  couch: { accounts(): AccountFixture[] };
}

export type { Failure, FoundFailure } from './failure.js';

export interface VerifyResult {
  schema: typeof VERIFY_SCHEMA;
  client: string;
  connections: number;
  callers: number;
  opsPerCaller: number;
  seed: number;
  /** What was asked: runs, faults, timeouts (see RecordedSettings). */
  settings: RecordedSettings;
  verdict: 'safe' | 'violated' | 'inconclusive';
  /** Set when a signal stopped the verification early (what was found so far is still reported). */
  interrupted: boolean;
  /** Search runs executed (shrinking and replays are counted apart). */
  runs: number;
  shrinkRuns: number;
  replayRuns: number;
  elapsedMs: number;
  invariants: InvariantSummary[];
  /** The first violating run as it was found, before shrinking. */
  firstFailure: FoundFailure | null;
  /** The final counterexample: the smallest case shrinking reached. */
  failure: Failure | null;
}

export const DEFAULT_SHRINK_BUDGET_MS = 30_000;

type Phase = 'search' | 'shrink';

interface Evaluated {
  history: RunHistory;
  checks: CheckResult[];
}

/**
 * Runs the property: randomized scenarios, each through one fresh shared client, every run checked. The first
 * failure is announced as soon as it is seen; shrinking then looks for a smaller case that breaks every invariant it
 * broke, within its own budget; a candidate whose run waited on the wall clock must fail twice in a row (a case that
 * fails once by luck would not replay). Returns data; throws only for harness bugs and bad configuration.
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
  let smallest: Evaluated | null = null;
  let shrinkStartedAt = 0;
  const shrink = { steps: 0, tried: 0, runs: 0, ended: 'exhausted' as ShrinkStats['ended'] };
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
    smallest = evaluated;
    phase = 'shrink';
    shrinkStartedAt = performance.now();
    settings.onEvent?.({ type: 'found', failure: found });
    return false;
  };

  const shrinkStep = async (scenario: Scenario): Promise<boolean> => {
    if (performance.now() - shrinkStartedAt > shrinkBudgetMs) {
      shrink.ended = 'budget';
      throw new fc.PreconditionFailure(true);
    }
    const target = found!.violated;
    shrink.tried += 1;
    let accepted = false;
    let evaluated = await execute(scenario);
    shrink.runs += 1;
    if (evaluated !== null && breaksAll(evaluated.checks, target)) {
      accepted = true;
      // A run that waited on the wall clock somewhere may have failed by luck, and shrinking towards luck ends in a
      // case whose replay says SAFE: such a candidate must fail a second time. A run wholly on the schedule replays.
      if (evaluated.history.timedStepCount > 0) {
        const again = await execute(scenario);
        shrink.runs += 1;
        accepted = again !== null && breaksAll(again.checks, target);
        if (accepted) evaluated = again;
      }
    }
    if (accepted) {
      shrink.steps += 1;
      smallest = evaluated;
    }
    const current = smallest!.history;
    settings.onEvent?.({
      type: 'shrink',
      steps: shrink.steps,
      tried: shrink.tried,
      accepted,
      callers: current.scenario.callers.length,
      calls: current.calls.length,
      elapsedMs: performance.now() - shrinkStartedAt,
      budgetMs: shrinkBudgetMs,
    });
    return !accepted;
  };

  const property = fc.asyncProperty(arbitrary, async (scenario) => {
    if (stopped()) {
      if (phase === 'shrink') shrink.ended = 'interrupted';
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
  if (interrupted && (phase as Phase) === 'shrink' && shrink.ended === 'exhausted') shrink.ended = 'interrupted';

  const firstFailure = found as FoundFailure | null;
  const last = smallest as Evaluated | null;
  let failure: Failure | null = null;
  let replayRuns = 0;
  if (firstFailure !== null && last !== null) {
    // fast-check's path names the last case it saw fail, which is the smallest one accepted.
    const path = details.counterexamplePath ?? firstFailure.path;
    const shrunk = settings.path === undefined && settings.noShrink !== true;
    const replayChecks = interrupted ? 0 : (settings.replayChecks ?? 0);
    replaying = true;
    const replayCheck =
      replayChecks > 0
        ? await checkReplays(path, replayChecks, firstFailure.violated, {
            seed: settings.seed,
            arbitrary,
            execute: async (scenario) => {
              replayRuns += 1;
              return (await execute(scenario))?.checks ?? null;
            },
            onEvent: settings.onEvent,
          })
        : null;
    failure = {
      ...failingCase(shape, settings.seed, path),
      numShrinks: shrink.steps,
      shrink: shrunk
        ? {
            steps: shrink.steps,
            tried: shrink.tried,
            runs: shrink.runs,
            ms: Math.round(performance.now() - shrinkStartedAt),
            budgetMs: shrinkBudgetMs,
            ended: shrink.ended,
          }
        : null,
      replayCheck,
      scenario: last.history.scenario,
      history: last.history,
      checks: last.checks,
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
    shrinkRuns: shrink.runs,
    replayRuns,
    elapsedMs: Math.round(performance.now() - started),
    invariants,
    firstFailure,
    failure,
  };
}

