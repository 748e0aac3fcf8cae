import type { InvariantId } from '../src/check/index.js';
import type { VerifyServer, VerifySettings } from '../src/verify/verify.js';
import { verifyAgainst } from '../src/verify/verify.js';
import { teethSettings } from '../test/support/teeth-settings.js';
import { startMockServer } from '../src/server/index.js';
import type { BuggyClient } from './buggy-clients.js';
import { FAULT_BUGGY_CLIENTS, MORE_FAULT_BUGGY_CLIENTS, PLAIN_BUGGY_CLIENTS } from './buggy-clients.js';
import type { Bench } from './bench.js';

/** Seeds for time-to-first-detection; the first also yields the counterexample whose replays are counted. */
const SEEDS = [1, 2, 3, 4, 5];
const REPLAYS = 20;
const MAX_RUNS = 200;

/** The buggy-client tests' settings, given more runs and time: the bench measures what the tests assert. */
function base(client: BuggyClient, seed: number): VerifySettings {
  return { ...teethSettings(client.name, client.factory, seed), runs: MAX_RUNS, timeBudgetMs: 30_000, ...client.settings };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

function violates(checks: Array<{ invariant: InvariantId; status: string }> | undefined, client: BuggyClient) {
  const ids = new Set([client.invariant, ...(client.alsoCaughtBy ?? [])]);
  return checks?.some((c) => ids.has(c.invariant) && c.status === 'violated') === true;
}

/** Runs and seconds to first detection (no shrinking), and the share of replays of the shrunk case that reproduce. */
export async function measureDetection(server: VerifyServer, clients: readonly BuggyClient[]): Promise<string[]> {
  const rows: string[] = [];
  for (const client of clients) {
    const runs: number[] = [];
    const seconds: number[] = [];
    let right = 0;
    for (const seed of SEEDS) {
      const found = await verifyAgainst(server, { ...base(client, seed), noShrink: true });
      if (found.firstFailure === null) continue;
      runs.push(found.firstFailure.run);
      seconds.push(found.firstFailure.ms / 1000);
      if (violates(found.failure?.checks, client)) right += 1;
    }
    const shrunk = await verifyAgainst(server, base(client, SEEDS[0]!));
    let reproduced = 0;
    if (shrunk.failure !== null) {
      for (let i = 0; i < REPLAYS; i += 1) {
        const replay = await verifyAgainst(server, {
          ...base(client, shrunk.failure.seed),
          path: shrunk.failure.path,
        });
        if (violates(replay.failure?.checks, client)) reproduced += 1;
      }
    }
    rows.push(
      `| ${client.name} | ${[client.invariant, ...(client.alsoCaughtBy ?? [])].join(' or ')} | ${runs.length}/${SEEDS.length} | ${right}/${runs.length} | ` +
        `${median(runs)} | ${median(seconds).toFixed(2)} | ` +
        `${shrunk.failure === null ? 'not found' : `${reproduced}/${REPLAYS}`} |`,
    );
    console.error(`  ${rows[rows.length - 1]}`);
  }
  return [
    '| buggy client | invariant | seeds detected | by that invariant | median runs to detect | median s to detect | replays reproducing |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

export const detection: Bench = {
  name: `buggy clients: time to first detection (${SEEDS.length} seeds, ≤ ${MAX_RUNS} runs) and replays of the shrunk case (${REPLAYS})`,
  async run() {
    const server = await startMockServer();
    try {
      console.log('### plain traffic (issue #3)\n');
      for (const line of await measureDetection(server, PLAIN_BUGGY_CLIENTS)) console.log(line);
      console.log('\n### every fault on, as `verify --faults` (issue #4)\n');
      for (const line of await measureDetection(server, FAULT_BUGGY_CLIENTS)) console.log(line);
    } finally {
      await server.close();
    }
  },
};

/** The fault classes of issue #11 on their own: `npm run bench -- more-faults` runs only this section. */
export const moreFaultsDetection: Bench = {
  name: `more-faults buggy clients (issue #11), every fault on: time to first detection (${SEEDS.length} seeds, ≤ ${MAX_RUNS} runs) and replays of the shrunk case (${REPLAYS})`,
  async run() {
    const server = await startMockServer();
    try {
      for (const line of await measureDetection(server, MORE_FAULT_BUGGY_CLIENTS)) console.log(line);
    } finally {
      await server.close();
    }
  },
};
