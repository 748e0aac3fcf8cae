import { createServer } from 'node:https';
import { connect, createSecureContext, type SecureContext } from 'node:tls';
import fc from 'fast-check';
import { checkRun } from '../src/check/index.js';
import type { ClientFactory } from '../src/clients/contract.js';
import { loadClient } from '../src/clients/registry.js';
import { runScenario } from '../src/drive/run-scenario.js';
import { scenarioArbitrary } from '../src/scenario/arbitrary.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { generateCertificate, SERVER_HEADER, startMockServer, type MockServer } from '../src/server/index.js';
import { DEFAULTS } from '../src/verify/config.js';
import { tenantsFromAccounts } from '../src/verify/tenants.js';
import { verifyAgainst } from '../src/verify/verify.js';
import type { Component } from './cpu-profile.js';
import { profiled } from './cpu-profile.js';
import type { Bench } from './bench.js';

/**
 * Where one lane's time goes on the standard scenario (16 callers × 4 ops, pool 4, no faults, undici-pool), so the
 * next optimisation is obvious. The same scenarios (one seed) are run side by side in variants that each take one
 * cost away: the lane as it is; without the planned waits on the wall clock (slow response heads, idle gaps; the
 * staggers and body pieces are schedule points and cost no wall time); without the release gate's grace wait too. Then the same calls through the same client with no scenario machinery at all, against
 * the mock and against a bare node:https server: the in-process floor. A CPU profile of the real lane says which
 * component the rest belongs to.
 */
const RUNS = 100;
/** Every variant once a round, rounds alternating so drift spreads over all of them; the median round counts. */
const ROUNDS = 3;
const SEED = 20261125;
const CALLERS = 16;
const OPS = 4;
const CONNECTIONS = 4;

interface Variant {
  name: string;
  msPerRun: number;
  checksMsPerRun: number;
  handshakesPerRun: number;
}

/** The waits a scenario plans on the wall clock, taken away: slow heads and body delays, idle gaps before calls. */
const withoutDelays = (scenario: Scenario): Scenario => ({
  ...scenario,
  callers: scenario.callers.map((caller) => ({
    ...caller,
    ops: caller.ops.map((op) => ({ ...op, idleGapMs: 0, response: { ...op.response, headerDelayMs: 0, bodyDelayMs: 0, dripMs: 0 } })),
  })),
});

/** Planned wall-clock waits of a scenario on its longest caller. */
function plannedMs(scenario: Scenario): number {
  let longest = 0;
  for (const caller of scenario.callers) {
    let waits = 0;
    for (const op of caller.ops) {
      const splits = op.response.splitAt?.length ?? 0;
      waits += op.idleGapMs + (op.response.headerDelayMs ?? 0) + (op.response.bodyDelayMs ?? 0) + splits * (op.response.dripMs ?? 0);
    }
    longest = Math.max(longest, waits);
  }
  return longest;
}

let runNumber = 0;

async function runVariant(name: string, server: MockServer, factory: ClientFactory, scenarios: Scenario[], graceMs: number): Promise<Variant> {
  let checksMs = 0;
  let handshakes = 0;
  const started = performance.now();
  for (const scenario of scenarios) {
    const history = await runScenario(scenario, {
      server,
      factory,
      clientName: 'undici-pool',
      connections: CONNECTIONS,
      timeoutMs: DEFAULTS.timeoutMs,
      deadlineMs: DEFAULTS.deadlineMs,
      quietMs: DEFAULTS.quietMs,
      closeBoundMs: DEFAULTS.closeBoundMs,
      graceMs,
      run: (runNumber += 1),
    });
    const checkStarted = performance.now();
    checkRun(history);
    checksMs += performance.now() - checkStarted;
    handshakes += history.server.sockets.filter((socket) => socket.handshakeAt !== null).length;
  }
  const msPerRun = (performance.now() - started) / scenarios.length;
  return { name, msPerRun, checksMsPerRun: checksMs / scenarios.length, handshakesPerRun: handshakes / scenarios.length };
}

/** The same calls, callers issuing their operations back to back through a fresh client per run: no gate, no records read, no checks. */
async function bareCalls(name: string, origin: string, ca: string, factory: ClientFactory, scenarios: Scenario[]): Promise<Variant> {
  const started = performance.now();
  for (const scenario of scenarios) {
    const client = await factory({ origin, ca, connections: CONNECTIONS, timeoutMs: DEFAULTS.timeoutMs });
    runNumber += 1;
    await Promise.all(
      scenario.callers.map(async (caller) => {
        const tenant = scenario.tenants.find((t) => t.name === caller.tenant)!;
        for (const op of caller.ops) {
          await client.run({
            kind: op.kind,
            db: op.db,
            params: op.params,
            requestId: `r${runNumber}-${op.opId}`,
            credentials: { username: tenant.username, password: tenant.password },
            signal: new AbortController().signal,
          });
        }
      }),
    );
    await client.close();
  }
  return { name, msPerRun: (performance.now() - started) / scenarios.length, checksMsPerRun: 0, handshakesPerRun: NaN };
}

/** A bare node:https server answering every request with one prebuilt `_all_docs` body: the floor. */
async function bareServer(
  certificate: { cert: string; key: string },
  body: Buffer,
): Promise<{ origin: string; port: number; close: () => Promise<void> }> {
  const headers = { Server: SERVER_HEADER, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' };
  const server = createServer({ cert: certificate.cert, key: certificate.key, ALPNProtocols: ['http/1.1'] }, (request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { ...headers, 'X-Couch-Request-ID': String(request.headers['x-couch-request-id'] ?? '') });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { origin: `https://127.0.0.1:${port}`, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * One TLS handshake, both ends in this process: `ca` makes the client build a SecureContext from the PEM for the
 * connection, as undici and node:https do for every socket; `context` hands it one made once.
 */
async function handshakeMs(port: number, trust: { ca: string } | { secureContext: SecureContext }, count: number): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ...trust, ALPNProtocols: ['http/1.1'] }, () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
  }
  return (performance.now() - started) / count;
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)} %`;

async function run(): Promise<void> {
  const certificate = await generateCertificate('ec');
  const server = await startMockServer({ certificate });
  const { factory } = await loadClient('undici-pool');
  const tenants = tenantsFromAccounts(server.couch.accounts());
  const scenarios = fc.sample(scenarioArbitrary({ tenants, maxCallers: CALLERS, maxOpsPerCaller: OPS }), { seed: SEED, numRuns: RUNS });
  const calls = scenarios.reduce((n, s) => n + s.callers.reduce((m, c) => m + c.ops.length, 0), 0) / RUNS;
  const plannedDelays = scenarios.map(plannedMs).reduce((a, b) => a + b, 0) / RUNS;
  const sample = await fetchSample(server, tenants[0]!);
  const bare = await bareServer(certificate, sample);
  try {
    await runVariant('warm-up', server, factory, scenarios.slice(0, 20), DEFAULTS.graceMs);
    const lane = await verifyAgainst(server, {
      clientName: 'undici-pool', factory, connections: CONNECTIONS, callers: CALLERS, opsPerCaller: OPS, runs: RUNS, seed: SEED,
      timeoutMs: DEFAULTS.timeoutMs, deadlineMs: DEFAULTS.deadlineMs, quietMs: DEFAULTS.quietMs, closeBoundMs: DEFAULTS.closeBoundMs,
      graceMs: DEFAULTS.graceMs, timeBudgetMs: 300_000,
    });
    const quiet = scenarios.map(withoutDelays);
    const makers: Array<() => Promise<Variant>> = [
      () => runVariant('the lane: scenario as generated', server, factory, scenarios, DEFAULTS.graceMs),
      () => runVariant('without planned wall-clock waits (slow heads)', server, factory, quiet, DEFAULTS.graceMs),
      () => runVariant('… and no release-gate grace wait (graceMs 0)', server, factory, quiet, 0),
      () => bareCalls('same calls, same client, the mock, no machinery', server.origin, server.ca, factory, scenarios),
      () => bareCalls('same calls, same client, bare node:https', bare.origin, server.ca, factory, scenarios),
    ];
    const rounds: Variant[][] = makers.map(() => []);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let offset = 0; offset < makers.length; offset += 1) {
        const index = (round + offset) % makers.length;
        rounds[index]!.push(await makers[index]!());
      }
    }
    const variants = rounds.map((measured) => [...measured].sort((a, b) => a.msPerRun - b.msPerRun)[Math.floor(ROUNDS / 2)]!);
    const { ms } = await profiled(() => runVariant('profiled', server, factory, scenarios, DEFAULTS.graceMs));
    const context = createSecureContext({ ca: server.ca });
    const handshakes = {
      mock: await handshakeMs(server.port, { ca: server.ca }, 200),
      bare: await handshakeMs(bare.port, { ca: server.ca }, 200),
      mockOneContext: await handshakeMs(server.port, { secureContext: context }, 200),
    };
    print(lane.runs / (lane.elapsedMs / 1_000), variants, ms, handshakes, { calls, plannedDelays });
  } finally {
    await bare.close();
    await server.close();
  }
}

async function fetchSample(server: MockServer, tenant: { username: string; password: string; databases: string[] }): Promise<Buffer> {
  const { Pool } = await import('undici');
  const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
  const authorization = `Basic ${Buffer.from(`${tenant.username}:${tenant.password}`).toString('base64')}`;
  const response = await pool.request({ path: `/${tenant.databases[0]}/_all_docs?limit=5`, method: 'GET', headers: { authorization } });
  const body = Buffer.from(await response.body.arrayBuffer());
  await pool.close();
  return body;
}

function print(
  laneRunsPerSecond: number,
  variants: Variant[],
  profile: Map<Component, number>,
  handshake: { mock: number; bare: number; mockOneContext: number },
  shape: { calls: number; plannedDelays: number },
): void {
  const [lane, noDelays, noGrace, mockBare, floor] = variants as [Variant, Variant, Variant, Variant, Variant];
  console.log(
    `standard scenario, seed ${SEED}, ${RUNS} runs a variant, ${ROUNDS} alternating rounds (median): ` +
      `${shape.calls.toFixed(1)} calls a run`,
  );
  console.log(`verifyAgainst (fast-check included): ${laneRunsPerSecond.toFixed(1)} runs/s on one lane\n`);
  console.log('| variant (same scenarios) | ms per run | runs/s | vs bare floor |');
  console.log('|---|---:|---:|---:|');
  for (const v of variants) {
    console.log(`| ${v.name} | ${v.msPerRun.toFixed(1)} | ${(1_000 / v.msPerRun).toFixed(1)} | ${(floor.msPerRun / v.msPerRun).toFixed(2)} |`);
  }
  const delays = lane.msPerRun - noDelays.msPerRun;
  const grace = noDelays.msPerRun - noGrace.msPerRun;
  const machinery = noGrace.msPerRun - mockBare.msPerRun - noGrace.checksMsPerRun;
  const handshakes = lane.handshakesPerRun * handshake.mock;
  console.log(`\nwhere the lane's ${lane.msPerRun.toFixed(1)} ms a run go (differences between the variants above):\n`);
  console.log('| part | ms per run | share of the lane |');
  console.log('|---|---:|---:|');
  const rows: Array<[string, number]> = [
    [`planned wall-clock waits: slow heads (planned: ${shape.plannedDelays.toFixed(1)} ms on the longest caller)`, delays],
    ['release gate: grace waits for held responses', grace],
    ['checks (all six invariants, timed directly)', lane.checksMsPerRun],
    ['the rest of the machinery: records read, gate, close and socket waits', machinery],
    ['the mock instead of a bare server (same calls, no machinery)', mockBare.msPerRun - floor.msPerRun],
    ['the floor: the same calls through the same client to a bare server', floor.msPerRun],
    [`… of which TLS handshakes: ${lane.handshakesPerRun.toFixed(1)} a run × ${handshake.mock.toFixed(2)} ms`, handshakes],
  ];
  for (const [part, ms] of rows) console.log(`| ${part} | ${ms.toFixed(1)} | ${pct(ms, lane.msPerRun)} |`);
  console.log('\none TLS handshake, both ends in this process (200 sequential connections):\n');
  console.log('| handshake | ms |');
  console.log('|---|---:|');
  console.log(`| to the mock, client context built from the CA per connection (as undici does) | ${handshake.mock.toFixed(2)} |`);
  console.log(`| to a bare node:https server, same certificate | ${handshake.bare.toFixed(2)} |`);
  console.log(`| to the mock, one client SecureContext made once | ${handshake.mockOneContext.toFixed(2)} |`);
  const total = [...profile.values()].reduce((a, b) => a + b, 0);
  console.log(`\nCPU profile of the lane (${RUNS} runs, sampled every 0.2 ms), by component:\n`);
  console.log('| component | ms per run | share |');
  console.log('|---|---:|---:|');
  for (const [component, ms] of [...profile].sort((a, b) => b[1] - a[1])) {
    console.log(`| ${component} | ${(ms / RUNS).toFixed(1)} | ${pct(ms, total)} |`);
  }
}

export const laneBreakdown: Bench = { name: "where a lane's time goes (standard scenario, one lane)", run };
