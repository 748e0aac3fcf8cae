import { parseArgs } from 'node:util';
import type { VerifyResult } from '../src/verify/verify.js';
import { verifyAgainst } from '../src/verify/verify.js';
import { startMockServer } from '../src/server/index.js';
import { DEFAULTS } from '../src/verify/config.js';
import { everyFaultSettings } from '../src/verify/run-verify.js';
import type { ReferencePolicy } from '../test/support/reference-pool.js';
import { allPolicies, createReferencePool, pairwisePolicies, policyName } from '../test/support/reference-pool.js';

/**
 * The reference pool (test/support/reference-pool.ts) in every combination of its six policy switches, through
 * `runs` runs with every fault on: a correct pool with unusual but legitimate policies must raise no alarm.
 * Prints one table row per policy: violations, and the figures that show each policy at work.
 */
export async function soakPolicies(
  runs: number,
  seed: number,
  log: (line: string) => void,
  part: { index: number; of: number } = { index: 0, of: 1 },
  policies: readonly ReferencePolicy[] = allPolicies(),
): Promise<boolean> {
  const server = await startMockServer();
  let clean = true;
  log('| policy | runs | violations | calls | retries | handshakes | seconds |');
  log('|---|---|---|---|---|---|---|');
  try {
    for (const policy of policies.filter((_, i) => i % part.of === part.index)) {
      const name = policyName(policy);
      const result: VerifyResult = await verifyAgainst(server, {
        clientName: `reference:${name}`,
        factory: createReferencePool(policy),
        connections: 4,
        callers: 8,
        opsPerCaller: 4,
        runs,
        seed,
        deadlineMs: DEFAULTS.deadlineMs,
        closeBoundMs: DEFAULTS.closeBoundMs,
        graceMs: DEFAULTS.graceMs,
        timeBudgetMs: 3_600_000,
        ...everyFaultSettings(),
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

// `node dist/bench/soak-policies.js [--runs 1000] [--seed S] [--part k/n] [--set all|pairwise]`: run part k of n of
// the 64 policies, or of the 8 that cover every pair of switch settings (two parts in two processes use both cores).
if (process.argv[1]?.endsWith('soak-policies.js')) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '1000' }, seed: { type: 'string', default: '20261201' }, part: { type: 'string', default: '1/1' }, set: { type: 'string', default: 'all' } },
  });
  const [k, n] = values.part.split('/').map(Number) as [number, number];
  if (values.set !== 'all' && values.set !== 'pairwise') throw new Error(`--set is all or pairwise, not ${values.set}`);
  const policies = values.set === 'all' ? allPolicies() : pairwisePolicies();
  const which = values.set === 'all' ? 'every policy combination' : 'the 8 combinations covering every pair of switches';
  console.log(`\n## the reference pool in ${which}: ${values.runs} runs each, every fault on, seed ${values.seed} (part ${k}/${n})\n`);
  const clean = await soakPolicies(Number(values.runs), Number(values.seed), (line) => console.log(line), { index: k - 1, of: n }, policies);
  process.exitCode = clean ? 0 : 1;
}
