import type { ClientFactory } from '../clients/contract.js';
import type { HarnessServer } from '../drive/harness-server.js';
import type { ScenarioConstraints } from '../scenario/arbitrary.js';
import type { AccountFixture } from '../server/couch/types.js';
import type { VerifyEventListener } from './events.js';
import type { CheckedRun } from './history-log.js';

/** Everything `verifyAgainst` runs with, resolved (config.ts turns a user's options into this). */
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
  /** How the replay command names the client, when not `--client <clientName>` (e.g. `--exec '…'`). */
  replayClient?: string;
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
