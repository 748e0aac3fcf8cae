import { checkRun } from '../../../src/check/index.js';
import { VERIFY_SCHEMA } from '../../../src/verify/verify.js';
import type { VerifyResult } from '../../../src/verify/verify.js';
import { SummaryBuilder } from '../../../src/verify/summary.js';
import { HistoryBuilder } from '../../support/synthetic-history.js';

/**
 * A large run, built by hand: `callers` callers, `sockets` sockets, `requests` requests, each socket serving one
 * request at a time in 4 ms slots and each caller's calls one after another; request number `crossAt` gets the reply
 * of the one after it, so no-cross-talk is violated at a known place. Its checks are the real ones.
 */
export function largeResult(requests: number, callers: number, sockets: number, crossAt: number): VerifyResult {
  const builder = new HistoryBuilder().withTraits({ maxSockets: sockets });
  const slots = Math.ceil(requests / sockets);
  for (let s = 1; s <= sockets; s += 1) builder.socket(s, 0, slots * 4 + 12);
  const opOf = (i: number) => `c${i % callers}-o${Math.floor(i / callers)}`;
  for (let i = 0; i < requests; i += 1) {
    const at = Math.floor(i / sockets) * 4 + 2;
    const crossed = i === crossAt ? { got: { requestIdSeen: `r1-${opOf(i + 1)}` } } : {};
    builder.call(opOf(i), { caller: `c${i % callers}`, socket: (i % sockets) + 1, at, until: at + 4, ...crossed });
  }
  builder.closeCalledAt = slots * 4 + 8;
  builder.closeReturnedAt = slots * 4 + 9;
  const history = builder.build();
  const checks = checkRun(history);
  const found = { seed: 0, path: '0', fastCheck: '{ seed: 0, path: "0", endOnFailure: true }', replay: '(synthetic)' };
  const summary = new SummaryBuilder();
  summary.add(checks);
  return {
    schema: VERIFY_SCHEMA,
    client: 'synthetic',
    connections: sockets,
    callers,
    opsPerCaller: Math.ceil(requests / callers),
    seed: 0,
    settings: { runs: 1, path: null, faults: null, abortPercent: 0, idleGapMs: null, timeoutMs: 1000, deadlineMs: 2000, quietMs: 300, closeBoundMs: 500, graceMs: 15, timeBudgetMs: 1000, shrinkBudgetMs: null, replayChecks: 0, noShrink: true },
    verdict: 'violated',
    interrupted: false,
    runs: 1,
    shrinkRuns: 0,
    replayRuns: 0,
    elapsedMs: 1,
    invariants: summary.build(),
    firstFailure: { ...found, run: 1, ms: 1, violated: ['no-cross-talk'], scenario: history.scenario, checks },
    failure: { ...found, numShrinks: 0, shrink: null, replayCheck: null, flakySmallest: null, scenario: history.scenario, history, checks },
  };
}
