import type { VerifyResult } from '../src/verify/verify.js';
import { verifyAgainst } from '../src/verify/verify.js';
import { faultedResponse } from '../src/scenario/faults.js';
import { startMockServer } from '../src/server/index.js';
import { DEFAULTS } from '../src/verify/config.js';
import { IDLE_GAP_MS } from '../src/verify/run-verify.js';
import { allPolicies, createReferencePool, policyName } from '../test/support/reference-pool.js';

/**
 * The reference pool (test/support/reference-pool.ts) in every combination of its six policy switches, through
 * `runs` runs with every fault on: a correct pool with unusual but legitimate policies must raise no alarm.
 * Prints one table row per policy: violations, and the figures that show each policy at work.
 */
export async function soakPolicies(runs: number, seed: number, log: (line: string) => void): Promise<boolean> {
  const server = await startMockServer();
  let clean = true;
  log('| policy | runs | violations | calls | retries | handshakes | seconds |');
  log('|---|---|---|---|---|---|---|');
  try {
    for (const policy of allPolicies()) {
      const name = policyName(policy);
      const result: VerifyResult = await verifyAgainst(server, {
        clientName: `reference:${name}`,
        factory: createReferencePool(policy),
        connections: 4,
        callers: 8,
        opsPerCaller: 4,
        runs,
        seed,
        timeoutMs: DEFAULTS.timeoutMs,
        deadlineMs: DEFAULTS.deadlineMs,
        closeBoundMs: DEFAULTS.closeBoundMs,
        graceMs: DEFAULTS.graceMs,
        timeBudgetMs: 3_600_000,
        responsePlan: faultedResponse(),
        abortPercent: 6,
        idleGapMs: IDLE_GAP_MS,
        noShrink: true,
      });
      const figure = (id: string, key: string) => result.invariants.find((i) => i.invariant === id)?.figures[key] ?? 0;
      const violated = result.invariants.filter((i) => i.status === 'violated').map((i) => i.invariant);
      if (violated.length > 0) clean = false;
      log(
        `| ${name} | ${result.runs} | ${violated.length === 0 ? '0' : violated.join(', ')} | ${figure('exactly-once', 'calls')} | ` +
          `${figure('exactly-once', 'retries')} | ${figure('reuse', 'handshakes')} | ${(result.elapsedMs / 1000).toFixed(1)} |`,
      );
      if (result.firstFailure !== null) {
        log(`|  | first failure: ${result.firstFailure.checks.flatMap((c) => c.violations.map((v) => v.message)).join(' / ').slice(0, 600)} · ${result.firstFailure.replay} |`);
      }
    }
  } finally {
    await server.close();
  }
  return clean;
}

if (process.argv[1]?.endsWith('soak-policies.js')) {
  const runs = Number(process.argv[2] ?? 1000);
  const seed = Number(process.argv[3] ?? 20261201);
  const clean = await soakPolicies(runs, seed, (line) => console.log(line));
  process.exitCode = clean ? 0 : 1;
}
