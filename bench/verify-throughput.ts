import { loadClient } from '../src/clients/registry.js';
import { startMockServer } from '../src/server/index.js';
import { DEFAULTS } from '../src/verify/config.js';
import { verifyAgainst } from '../src/verify/verify.js';
import { verifyInLanes } from '../src/verify/lanes.js';
import type { Bench } from './bench.js';

/** The standard scenario of issue #3: 16 callers × 4 ops, pool 4. Target ≥ 50 runs/s on 2 cores. */
const RUNS = 200;
const SEED = 20261125;

export const verifyThroughput: Bench = {
  name: 'verification runs per second (16 callers × 4 ops, pool 4, no faults)',
  async run() {
    const server = await startMockServer();
    try {
      const rows: string[] = [];
      for (const name of ['undici-pool', 'node-https', 'per-call']) {
        const { factory } = await loadClient(name);
        const settings = {
          clientName: name,
          factory,
          connections: 4,
          callers: 16,
          opsPerCaller: 4,
          runs: RUNS,
          seed: SEED,
          timeoutMs: DEFAULTS.timeoutMs,
          deadlineMs: DEFAULTS.deadlineMs,
          closeBoundMs: DEFAULTS.closeBoundMs,
          graceMs: DEFAULTS.graceMs,
          timeBudgetMs: 120_000,
        };
        await verifyAgainst(server, { ...settings, runs: 10 }); // warm-up
        const result = await verifyAgainst(server, settings);
        const calls = result.invariants.find((i) => i.invariant === 'exactly-once')?.figures.calls ?? 0;
        const perSecond = result.runs / (result.elapsedMs / 1000);
        rows.push(
          `| ${name} | ${result.verdict} | ${result.runs} | ${(result.elapsedMs / 1000).toFixed(2)} | ` +
            `${perSecond.toFixed(1)} | ${calls} |`,
        );
      }
      // The same property over 2 worker-thread lanes (each its own server, client and seed): both cores.
      const lanesInput = {
        client: 'undici-pool',
        connections: 4,
        callers: 16,
        ops: 4,
        runs: RUNS,
        seed: SEED,
        timeoutMs: DEFAULTS.timeoutMs,
        deadlineMs: DEFAULTS.deadlineMs,
      };
      await verifyInLanes({ ...lanesInput, runs: 10 }, 2); // warm-up
      const laned = await verifyInLanes(lanesInput, 2);
      const lanedCalls = laned.invariants.find((i) => i.invariant === 'exactly-once')?.figures.calls ?? 0;
      rows.push(
        `| undici-pool, 2 lanes | ${laned.verdict} | ${laned.runs} | ${(laned.elapsedMs / 1000).toFixed(2)} | ` +
          `${(laned.runs / (laned.elapsedMs / 1000)).toFixed(1)} | ${lanedCalls} |`,
      );
      console.log('| client | verdict | runs | seconds | runs/s | calls checked |');
      console.log('|---|---|---|---|---|---|');
      for (const row of rows) console.log(row);
    } finally {
      await server.close();
    }
  },
};
