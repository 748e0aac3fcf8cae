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
import type { CheckedRun } from './history-log.js';
import type { InvariantSummary } from './summary.js';
import { SummaryBuilder } from './summary.js';
import { timeBudget } from './time-budget.js';
import { tenantsFromAccounts } from './tenants.js';

export const VERIFY_SCHEMA = 1 as const;

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
  /** Report the first failure as found, without shrinking (benchmarks measure time to first detection). */
  noShrink?: boolean;
  /** Extra arguments the replay command needs (e.g. `--faults`), appended verbatim. */
  replayArgs?: string[];
  onRun?: (runsDone: number) => void;
  /** Each run once checked (`verify --history`); a promise returned is awaited, so a slow disk slows the runs. */
  onHistory?: (run: CheckedRun) => void | Promise<void>;
}

export interface VerifyServer extends HarnessServer {
  couch: { accounts(): AccountFixture[] };
}

export interface Failure {
  seed: number;
  path: string;
  /** Paste into fast-check's parameters (e.g. a vitest property) to replay. */
  fastCheck: string;
  /** A shell command that replays the counterexample. */
  replay: string;
  numShrinks: number;
  scenario: Scenario;
  history: RunHistory;
  checks: CheckResult[];
}

export interface VerifyResult {
  schema: typeof VERIFY_SCHEMA;
  client: string;
  connections: number;
  callers: number;
  opsPerCaller: number;
  seed: number;
  verdict: 'safe' | 'violated' | 'inconclusive';
  /** Runs executed, including shrinking and replays. */
  runs: number;
  elapsedMs: number;
  invariants: InvariantSummary[];
  /** When the first violating run happened: its run number and ms since the start. */
  firstFailure: { run: number; ms: number } | null;
  failure: Failure | null;
}

function replayCommand(settings: VerifySettings, seed: number, path: string): string {
  const args = [
    'npx crosstalk verify',
    `--client ${settings.clientName}`,
    `--connections ${settings.connections}`,
    `--callers ${settings.callers}`,
    `--ops ${settings.opsPerCaller}`,
    `--seed ${seed}`,
    `--path ${path}`,
    ...(settings.replayArgs ?? []),
  ];
  return args.join(' ');
}

/**
 * Runs the property: randomized scenarios, each through one fresh shared client, every run checked. Returns data;
 * throws only for harness bugs (an exception inside the engine).
 */
export async function verifyAgainst(server: VerifyServer, settings: VerifySettings): Promise<VerifyResult> {
  const tenants = tenantsFromAccounts(server.couch.accounts());
  const arbitrary = scenarioArbitrary({
    tenants,
    maxCallers: settings.callers,
    maxOpsPerCaller: settings.opsPerCaller,
    responsePlan: settings.responsePlan,
    abortPercent: settings.abortPercent,
    idleGapMs: settings.idleGapMs,
  });
  const summary = new SummaryBuilder();
  let run = 0;
  let lastFailing: { history: RunHistory; checks: CheckResult[] } | null = null;
  let firstFailureAt: number | null = null;
  let firstFailureRun = 0;
  /** The invariants the first failing run broke: every shrink candidate must break them all. */
  let target: Set<string> | null = null;
  /** fast-check abandons a run cut short by the time budget; it must finish before the server is used again. */
  let inFlight: Promise<unknown> = Promise.resolve();
  const started = performance.now();

  /** A harness or configuration error (a client factory that throws): it stops the property and is rethrown. */
  let harnessError: unknown = null;

  const property = fc.asyncProperty(arbitrary, async (scenario) => {
    if (harnessError !== null) return true;
    run += 1;
    const pending = runScenario(scenario, {
      server,
      factory: settings.factory,
      clientName: settings.clientName,
      connections: settings.connections,
      timeoutMs: settings.timeoutMs,
      deadlineMs: settings.deadlineMs,
      closeBoundMs: settings.closeBoundMs,
      graceMs: settings.graceMs,
      run,
    });
    inFlight = pending.catch(() => undefined);
    let history: RunHistory;
    try {
      history = await pending;
    } catch (error) {
      // Not a verdict on the client: remember it, let fast-check wind down, rethrow below.
      harnessError = error;
      return true;
    }
    const checks = checkRun(history);
    await settings.onHistory?.({ history, checks, shrinking: firstFailureAt !== null });
    const violated = checks.filter((c) => c.status === 'violated').map((c) => c.invariant);
    // While shrinking, a smaller case counts only if it still breaks every invariant the first failure broke: the
    // counterexample keeps the violation it was found with instead of drifting to whatever fails most simply.
    const failed = target === null ? violated.length > 0 : [...target].every((id) => violated.includes(id as never));
    // Shrinking runs are not part of the verdict's figures; the counterexample's checks are reported on their own.
    if (firstFailureAt === null) summary.add(checks);
    if (failed) {
      if (firstFailureAt === null) {
        firstFailureAt = performance.now();
        firstFailureRun = run;
        target = new Set(violated);
      }
      lastFailing = { history, checks };
    }
    settings.onRun?.(run);
    return !failed;
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
  if (details.failed && details.errorInstance !== null && lastFailing === null) {
    throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  }

  let failure: Failure | null = null;
  const failing = lastFailing as { history: RunHistory; checks: CheckResult[] } | null;
  if (details.failed && failing !== null && details.counterexamplePath !== null) {
    const seed = details.seed;
    const path = details.counterexamplePath;
    failure = {
      seed,
      path,
      fastCheck: `{ seed: ${seed}, path: "${path}", endOnFailure: true }`,
      replay: replayCommand(settings, seed, path),
      numShrinks: details.numShrinks,
      scenario: failing.history.scenario,
      history: failing.history,
      checks: failing.checks,
    };
  }
  const invariants = summary.build();
  if (failure !== null) {
    for (const check of failure.checks) {
      const entry = invariants.find((i) => i.invariant === check.invariant)!;
      if (check.status === 'violated') entry.status = 'violated';
    }
  }
  return {
    schema: VERIFY_SCHEMA,
    client: settings.clientName,
    connections: settings.connections,
    callers: settings.callers,
    opsPerCaller: settings.opsPerCaller,
    seed: details.seed,
    verdict: failure !== null ? 'violated' : details.interrupted ? 'inconclusive' : 'safe',
    runs: run,
    elapsedMs: Math.round(performance.now() - started),
    invariants,
    firstFailure: firstFailureAt === null ? null : { run: firstFailureRun, ms: Math.round(firstFailureAt - started) },
    failure,
  };
}
