import type { ClientFactory } from '../clients/contract.js';
import { quoteForShell } from '../clients/exec/command-line.js';
import { ExecClient } from '../clients/exec/exec-client.js';
import { loadClient } from '../clients/registry.js';
import { formatReport } from '../report/console.js';
import { faultedResponse } from '../scenario/faults.js';
import { startMockServer } from '../server/index.js';
import type { VerifyConfig, VerifyInput } from './config.js';
import { DEFAULTS, resolveVerifyConfig } from './config.js';
import type { VerifyEventListener } from './events.js';
import { openHistoryLog } from './history-log.js';
import { verifyShard } from './shard.js';
import type { VerifyResult, VerifyServer, VerifySettings } from './verify.js';
import { verifyAgainst } from './verify.js';

export interface VerifyOptions extends VerifyInput {
  /** A factory to verify directly (the client's name in reports is then `client`, default "custom"). */
  factory?: ClientFactory;
  /** A running mock server to use; by default one is started for this verification and closed after it. */
  server?: VerifyServer;
  /** Progress and the first failure as they happen (see VerifyEvent). */
  onEvent?: VerifyEventListener;
  /** Stops the verification early; what was found so far is the result. */
  signal?: AbortSignal;
  /** Takes each checked run instead of the `history` file (lanes post theirs to the main thread). */
  onHistory?: VerifySettings['onHistory'];
}

const CALLER_ABORT_PERCENT = 6;
/**
 * Longer than the FIN race allowance (50 ms) plus the longest idle close (12 ms), so a request after an idle gap never
 * races a close, and a client that ignores a server's FIN on an idle socket shows every time.
 */
export const IDLE_GAP_MS: [number, number] = [70, 100];

/**
 * What `verify --faults` runs, for code that calls `verifyAgainst` itself (benches, tests): every server fault, callers
 * aborting, idle gaps, and the client's short timeout under which the silences outlast it.
 */
export function everyFaultSettings(): Pick<VerifySettings, 'responsePlan' | 'abortPercent' | 'idleGapMs' | 'timeoutMs'> {
  return { responsePlan: faultedResponse(), abortPercent: CALLER_ABORT_PERCENT, idleGapMs: IDLE_GAP_MS, timeoutMs: DEFAULTS.faultsTimeoutMs };
}

function replayArgs(config: VerifyConfig, input: VerifyInput): string[] {
  // The client's timeout shapes the faults' silences: a replay needs the one the failure ran with.
  const timeout = input.timeoutMs === undefined ? [] : [`--timeout-ms ${config.timeoutMs}`];
  if (config.faults === null) return timeout;
  return [`--faults ${config.faults.join(',')}`, ...timeout];
}

/** Verify a client, from options as a user gives them. Returns data; throws `ConfigError` for bad options. */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const config = resolveVerifyConfig(options);
  if (config.shard !== undefined) return verifyShard(options);
  // A worker process (one per verification: per lane) when the client is given as `--exec`.
  const exec = options.factory === undefined && config.exec !== null ? new ExecClient({ ...config.exec, callers: config.callers }) : null;
  const loaded =
    options.factory !== undefined
      ? { name: options.client ?? 'custom', factory: options.factory }
      : exec !== null
        ? { name: config.client, factory: exec.factory }
        : await loadClient(config.client);
  const log = options.onHistory === undefined ? await openHistoryLog(config, loaded.name) : undefined;
  const own = options.server === undefined ? await startMockServer() : undefined;
  const server: VerifyServer = options.server ?? own!;
  let result: VerifyResult | null = null;
  try {
    const verifying = verifyAgainst(server, {
      clientName: loaded.name,
      factory: loaded.factory,
      connections: config.connections,
      callers: config.callers,
      opsPerCaller: config.opsPerCaller,
      runs: config.runs,
      seed: config.seed,
      path: config.path,
      timeoutMs: config.timeoutMs,
      deadlineMs: config.deadlineMs,
      quietMs: config.quietMs,
      closeBoundMs: config.closeBoundMs,
      graceMs: config.graceMs,
      timeBudgetMs: config.timeBudgetMs,
      shrinkBudgetMs: config.shrinkBudgetMs,
      replayChecks: config.checkReplay,
      responsePlan: config.faults === null ? undefined : faultedResponse(config.faults, { clientTimeoutMs: config.timeoutMs }),
      faults: config.faults,
      // Callers giving up mid-request is a fault of the caller side: on with the server's faults.
      abortPercent: config.faults === null ? 0 : CALLER_ABORT_PERCENT,
      idleGapMs: config.faults === null ? undefined : IDLE_GAP_MS,
      replayClient: config.exec === null ? undefined : `--exec ${quoteForShell(config.exec.command)}`,
      replayArgs: replayArgs(config, options),
      onEvent: options.onEvent,
      signal: options.signal,
      onHistory: options.onHistory ?? log?.runsOf(0, config.seed),
    });
    result = await (exec === null ? verifying : exec.settle(verifying));
    return result;
  } finally {
    await own?.close();
    await log?.end(result);
  }
}

/** Thrown by `assertSafeToShare` with the whole report as its message (seed and replay included). */
export class UnsafeToShareError extends Error {
  constructor(readonly result: VerifyResult) {
    super(formatReport(result).join('\n'));
    this.name = 'UnsafeToShareError';
  }
}

/**
 * For users' own test suites: resolves with the result when the client is safe to share, throws an
 * `UnsafeToShareError` whose message is the full report (counterexample, seed, replay) when it is not.
 */
export async function assertSafeToShare(options: VerifyOptions): Promise<VerifyResult> {
  const result = await verify(options);
  if (result.verdict !== 'safe') throw new UnsafeToShareError(result);
  return result;
}
