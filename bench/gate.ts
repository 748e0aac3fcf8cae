import { parseArgs } from 'node:util';
import type { InvariantId } from '../src/check/index.js';
import { startMockServer } from '../src/server/index.js';
import type { VerifyEvent } from '../src/verify/events.js';
import { verify } from '../src/verify/run-verify.js';
import type { VerifyResult } from '../src/verify/verify.js';
import type { BuggyClient } from './buggy-clients.js';
import { FAULT_BUGGY_CLIENTS, PLAIN_BUGGY_CLIENTS } from './buggy-clients.js';
import type { Bench } from './bench.js';

/**
 * The gate a CI job runs, per buggy client, with `verify`'s default settings (and `--faults` for the fault
 * classes): wall time from start to the final report, time from the end of the first failing run to its printed
 * report, the size of the shrunk case, and how often that case replays from its seed and path (20 replays, each the
 * user's replay command in-process) with the same invariants. Targets (issue #7): 20/20 replays, ≤ 15 s to the
 * report, ≤ 2 s to the first printed failure, ≤ 3 callers (≤ connections + 2 for pool-bound bugs).
 */
const SEEDS = [1, 2, 3];
const REPLAYS = 20;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

interface Measured {
  result: VerifyResult;
  /** ms from the end of the first failing run (its check done) to the `found` event. */
  toFoundMs: number | null;
  replays: number;
  sameInvariants: number;
}

function violatesAll(result: VerifyResult, target: readonly InvariantId[]): boolean {
  const violated = new Set(result.failure?.checks.filter((c) => c.status === 'violated').map((c) => c.invariant));
  return target.length > 0 && target.every((id) => violated.has(id));
}

async function measure(client: BuggyClient, seed: number): Promise<Measured> {
  const faults = client.faults === true ? true : undefined;
  let lastSearchAt = performance.now();
  let toFoundMs: number | null = null;
  const onEvent = (event: VerifyEvent): void => {
    if (event.type === 'search') lastSearchAt = performance.now();
    if (event.type === 'found' && toFoundMs === null) toFoundMs = performance.now() - lastSearchAt;
  };
  const result = await verify({ factory: client.factory, client: client.name, seed, faults, onEvent });
  let sameInvariants = 0;
  const failure = result.failure;
  if (failure !== null) {
    const target = result.firstFailure!.violated;
    const server = await startMockServer();
    try {
      for (let i = 0; i < REPLAYS; i += 1) {
        const replay = await verify({ factory: client.factory, client: client.name, seed, faults, path: failure.path, checkReplay: 0, server });
        if (violatesAll(replay, target)) sameInvariants += 1;
      }
    } finally {
      await server.close();
    }
  }
  return { result, toFoundMs, replays: failure === null ? 0 : REPLAYS, sameInvariants };
}

function row(client: BuggyClient, measured: Measured[]): string {
  const found = measured.filter((m) => m.result.failure !== null);
  const callers = found.map((m) => m.result.failure!.scenario.callers.length);
  const calls = found.map((m) => m.result.failure!.history.calls.length);
  const steps = found.map((m) => m.result.failure!.shrink?.steps ?? 0);
  const replays = found.reduce((n, m) => n + m.sameInvariants, 0);
  const total = found.reduce((n, m) => n + m.replays, 0);
  return (
    `| ${client.name} | ${client.invariant} | ${found.length}/${measured.length} | ` +
    `${(median(measured.map((m) => m.result.elapsedMs)) / 1000).toFixed(1)} | ` +
    `${median(found.map((m) => m.toFoundMs ?? NaN)).toFixed(0)} | ${median(callers)} (max ${Math.max(...callers)}) | ` +
    `${median(calls)} | ${median(steps)} | ${replays}/${total} |`
  );
}

export const HEADER = [
  '| buggy client | invariant | seeds caught | median s to final report | median ms, first failing run → printed | shrunk callers | shrunk calls | shrink steps | replays, same invariants |',
  '|---|---|---|---|---|---|---|---|---|',
];

export async function gateTable(clients: readonly BuggyClient[], seeds = SEEDS): Promise<string[]> {
  const rows: string[] = [];
  for (const client of clients) {
    const measured: Measured[] = [];
    for (const seed of seeds) measured.push(await measure(client, seed));
    rows.push(row(client, measured));
    console.error(`  ${rows[rows.length - 1]}`);
  }
  return [...HEADER, ...rows];
}

export const gate: Bench = {
  name: `the gate with default settings: time to report, shrunk size, replays (${SEEDS.length} seeds, ${REPLAYS} replays each)`,
  async run() {
    console.log('### plain traffic\n');
    for (const line of await gateTable(PLAIN_BUGGY_CLIENTS)) console.log(line);
    console.log('\n### every fault on (`--faults`)\n');
    for (const line of await gateTable(FAULT_BUGGY_CLIENTS)) console.log(line);
  },
};

// `node dist/bench/gate.js [--client a,b] [--seeds 1,2,3]`: the gate table alone, for some clients.
if (process.argv[1]?.endsWith('gate.js')) {
  const { values } = parseArgs({ options: { client: { type: 'string' }, seeds: { type: 'string' } } });
  const wanted = values.client?.split(',');
  const all = [...PLAIN_BUGGY_CLIENTS, ...FAULT_BUGGY_CLIENTS].filter((c) => wanted === undefined || wanted.includes(c.name));
  const seeds = values.seeds?.split(',').map(Number) ?? SEEDS;
  for (const line of await gateTable(all, seeds)) console.log(line);
}
