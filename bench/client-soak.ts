import { loadClient } from '../src/clients/registry.js';
import { formatReport } from '../src/report/console.js';
import { startMockServer } from '../src/server/index.js';
import { DEFAULTS } from '../src/verify/config.js';
import { everyFaultSettings } from '../src/verify/run-verify.js';
import type { VerifyResult } from '../src/verify/verify.js';
import { verifyAgainst } from '../src/verify/verify.js';

/** Every built-in correct client through `plain` runs and `faulted` runs with every fault on: zero violations expected. */
function row(name: string, mode: string, result: VerifyResult): string {
  const figure = (id: string, key: string) => result.invariants.find((i) => i.invariant === id)?.figures[key] ?? 0;
  const violations = result.invariants.filter((i) => i.status === 'violated').map((i) => i.invariant);
  const retries = figure('exactly-once', 'retries');
  return (
    `| ${name} | ${mode} | ${result.runs} | ${violations.length === 0 ? '0' : violations.join(', ')} | ` +
    `${figure('exactly-once', 'calls')} | ${figure('pool-bound', 'maxOpenSockets')} | ${figure('reuse', 'handshakes')} | ` +
    `${retries} | ${(result.elapsedMs / 1000).toFixed(1)} |`
  );
}

/** Prints the table; resolves false if any client was not safe. */
export async function clientSoak(clients: string[], plain: number, faulted: number, seed: number): Promise<boolean> {
  const server = await startMockServer();
  const rows: string[] = [];
  let safe = true;
  try {
    for (const name of clients) {
      const { factory } = await loadClient(name);
      const base = {
        clientName: name,
        factory,
        connections: 4,
        callers: 8,
        opsPerCaller: 4,
        seed,
        timeoutMs: DEFAULTS.timeoutMs,
        deadlineMs: DEFAULTS.deadlineMs,
        closeBoundMs: DEFAULTS.closeBoundMs,
        graceMs: DEFAULTS.graceMs,
        timeBudgetMs: 1_800_000,
      };
      for (const [mode, runs] of [
        ['plain', plain],
        ['faulted', faulted],
      ] as const) {
        if (runs <= 0) continue;
        const result = await verifyAgainst(server, {
          ...base,
          runs,
          ...(mode === 'faulted'
            ? { ...everyFaultSettings(), replayArgs: ['--faults'] }
            : {}),
        });
        rows.push(row(name, mode, result));
        console.error(`${name} ${mode}: ${result.verdict} (${result.runs} runs, ${(result.elapsedMs / 1000).toFixed(1)} s)`);
        if (result.verdict !== 'safe') {
          safe = false;
          console.error(formatReport(result).join('\n'));
        }
      }
    }
  } finally {
    await server.close();
  }
  console.log(`seed ${seed}\n`);
  console.log('| client | mode | runs | violations | calls | max open sockets | handshakes | retries seen | seconds |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  return safe;
}
