import fc from 'fast-check';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_FAULTS, FAULT } from '../../src/scenario/fault-names.js';
import type { FaultedOp } from '../../src/scenario/faults.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import type { ConnectionPlan, ResponsePlan } from '../../src/server/response-plan.js';
import { rawRequest } from './support/raw-tls.js';
import { rawSession, type RawSession } from './support/raw-session.js';

/**
 * The fault code of issue #11 against a client that misbehaves in turn: while the server withholds a body, stalls,
 * sends a stray, cuts a request body or holds a connection silent, the client resets, half-closes, hangs up, pipelines,
 * sends garbage or a body the server did not wait for. The mock must not crash, must let every such socket go, must
 * leave its activity counters at rest (the engine's quiescence reads them), and must keep serving well-formed traffic.
 *
 * Replay: `SEED=… npx vitest run test/server/faults-misbehaving-client.property.test.ts`.
 */
const SEED = Number(process.env.SEED ?? 20_261_201);
const NUM_RUNS = 25;
const DB = 'foundbite';
/** The client timeout the silences are drawn against: they last 4x it, so a run stays short. */
const CLIENT_TIMEOUT_MS = 40;
/** The vocabulary of issue #11 (the faults before it have their own wire tests and fault classes). */
const NEW_FAULTS: string[] = [
  FAULT.strayResponse, FAULT.tlsAlert, FAULT.tlsStall, FAULT.acceptSilent, FAULT.connectionRefused,
  FAULT.noResponse, FAULT.stalledBody, FAULT.failFirst, FAULT.requestBodyCut, FAULT.expectFinal,
  FAULT.badChunkSize, FAULT.garbageThenClose, FAULT.emptyResponse, FAULT.shortBody, FAULT.largeBody,
  FAULT.keepAliveMax, FAULT.keepAliveTimeout,
];

let server: MockServer;
let pool: Pool;
let authorization: string;
const plans = new Map<string, ResponsePlan>();
const connectionPlans: ConnectionPlan[] = [];

beforeAll(async () => {
  server = await startMockServer();
  const user = server.couch.accounts().find((account) => account.databases.includes(DB))!.users[0]!;
  authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
  // Well-formed traffic carries ids with no plan; a connection plan is queued only right before its session opens.
  server.setPlans({
    planFor: (id) => (id === undefined ? undefined : plans.get(id)),
    connectionPlanFor: () => connectionPlans.shift(),
  });
  pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
});
afterAll(async () => {
  await pool?.close();
  await server?.close();
});

type Shape = 'get' | 'post' | 'post-expect' | 'post-short';
type Misbehaviour =
  | { kind: 'read-then-hang-up' | 'reset' | 'half-close' | 'hang-up'; afterMs: number }
  | { kind: 'garbage'; afterMs: number; bytes: Uint8Array }
  | { kind: 'pipeline'; afterMs: number; second: FaultedOp }
  | { kind: 'body-anyway'; afterMs: number };

interface Input {
  fault: FaultedOp;
  shape: Shape;
  misbehaviour: Misbehaviour;
  /** For a connection fault: speak raw TCP garbage instead of TLS. */
  plainTcp: boolean;
}

const afterMs = fc.integer({ min: 0, max: 60 });
const misbehaviour: fc.Arbitrary<Misbehaviour> = fc.oneof(
  fc.record({ kind: fc.constantFrom('read-then-hang-up' as const, 'reset' as const, 'half-close' as const, 'hang-up' as const), afterMs }),
  fc.record({ kind: fc.constant('garbage' as const), afterMs, bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
  fc.record({ kind: fc.constant('pipeline' as const), afterMs, second: faultedResponse(NEW_FAULTS, { clientTimeoutMs: CLIENT_TIMEOUT_MS }) }),
  fc.record({ kind: fc.constant('body-anyway' as const), afterMs }),
);
const input: fc.Arbitrary<Input> = fc.record({
  // Every draw faulted: the plain answers are the well-formed traffic's job.
  fault: faultedResponse(NEW_FAULTS, { clientTimeoutMs: CLIENT_TIMEOUT_MS }).filter((op) => op.response.faults !== undefined),
  shape: fc.constantFrom<Shape>('get', 'post', 'post-expect', 'post-short'),
  misbehaviour,
  plainTcp: fc.boolean(),
});

const BODY = '{"keys":["doc-0001","doc-0002"]}';
let nextId = 0;

/** The request bytes of `shape`; the body of an Expect request (or the rest of a short one) is what is held back. */
function request(shape: Shape, requestId: string): { head: string; heldBack: string } {
  const path = `/${DB}/_all_docs`;
  const headers = { authorization, 'content-type': 'application/json' };
  if (shape === 'get') return { head: rawRequest('GET', `${path}?limit=2`, requestId, { headers }), heldBack: '' };
  const whole = rawRequest('POST', path, requestId, { headers: shape === 'post-expect' ? { ...headers, expect: '100-continue' } : headers, body: BODY });
  if (shape === 'post') return { head: whole, heldBack: '' };
  // post-expect: the head alone; post-short: the head and half the body, the rest owed.
  const kept = shape === 'post-expect' ? 0 : BODY.length / 2;
  return { head: whole.slice(0, whole.length - BODY.length + kept), heldBack: BODY.slice(kept) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One misbehaving client, start to end: bounded, and its socket destroyed when it is done. */
async function misbehave(item: Input, sessions: RawSession[]): Promise<void> {
  const { fault, shape, misbehaviour: m } = item;
  const connectFault = fault.response.connect;
  if (connectFault !== undefined) connectionPlans.push({ fault: connectFault, faults: fault.response.faults ?? [connectFault.kind] });
  const s = rawSession(server.port, connectFault !== undefined && item.plainTcp ? undefined : server.ca);
  sessions.push(s);
  const requestId = `m-${nextId++}`;
  plans.set(requestId, fault.response);
  const { head, heldBack } = request(shape, requestId);
  if (connectFault !== undefined) {
    // The handshake is what is faulted: do the misbehaviour while it stalls, fails or is held silent.
    await pause(m.afterMs);
    act(s, m, heldBack);
    s.write(head);
    await s.ended(500);
    return;
  }
  if ((await s.ready) !== null) return;
  s.write(head);
  if (m.kind === 'pipeline') {
    const second = `m-${nextId++}`;
    plans.set(second, m.second.response);
    s.write(rawRequest('GET', `/${DB}/_all_docs?limit=1`, second, { headers: { authorization } }));
  }
  await pause(m.afterMs);
  act(s, m, heldBack);
  await s.ended(m.kind === 'read-then-hang-up' ? 300 : 150);
}

function act(s: RawSession, m: Misbehaviour, heldBack: string): void {
  switch (m.kind) {
    case 'reset':
      return s.reset();
    case 'half-close':
      return s.end();
    case 'hang-up':
      return s.destroy();
    case 'garbage':
      return s.write(Buffer.from(m.bytes));
    case 'body-anyway':
      return s.write(heldBack === '' ? BODY : heldBack);
    default:
  }
}

async function wellFormed(index: number, expected: Map<number, string>): Promise<void> {
  const limit = (index % 3) + 1;
  const requestId = `good-${index}`;
  const response = await pool.request({
    path: `/${DB}/_all_docs?limit=${limit}`,
    method: 'GET',
    headers: { authorization, 'x-couch-request-id': requestId },
  });
  const body = await response.body.text();
  expect(response.statusCode, requestId).toBe(200);
  expect(response.headers['x-couch-request-id']).toBe(requestId);
  if (!expected.has(limit)) expected.set(limit, body);
  expect(body).toBe(expected.get(limit));
}

/** Once every session is gone, the server lets its sockets go and its counters come to rest. */
async function atRest(ports: number[]): Promise<void> {
  const deadline = performance.now() + 3_000;
  for (;;) {
    const open = server.recorder.snapshot().sockets.filter((socket) => ports.includes(socket.remotePort) && socket.end === 'open');
    const activity = server.activity();
    // The pool's own two sockets may stay; nothing else may, lingering or not.
    const rest = open.length === 0 && activity.handshakesInFlight === 0 && activity.plannedInFlight === 0 && server.openSockets() <= 2;
    if (rest || performance.now() > deadline) {
      expect(open.map((socket) => socket.socketId), 'sockets of the misbehaving clients still open').toEqual([]);
      expect(activity.handshakesInFlight, 'handshakes counted in flight').toBe(0);
      expect(activity.plannedInFlight, 'planned responses counted in flight').toBe(0);
      expect(server.openSockets(), "sockets in the server's table").toBeLessThanOrEqual(2);
      return;
    }
    await pause(10);
  }
}

describe('the faults of issue #11 never crash the mock when the client misbehaves in turn', () => {
  it(`property (seed ${SEED}, ${NUM_RUNS} runs)`, { timeout: 120_000 }, async () => {
    console.log(`faults-misbehaving-client.property: seed ${SEED}`);
    const expected = new Map<number, string>();
    let goodIndex = 0;
    await wellFormed(goodIndex++, expected);
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 4 }), async (inputs) => {
        const sessions: RawSession[] = [];
        try {
          // A connection plan goes to the next connection accepted: those sessions go one at a time, with no
          // well-formed traffic in flight that could open a connection and take the plan.
          for (const item of inputs.filter((i) => CONNECT_FAULTS.has(i.fault.response.faults?.[0] ?? ''))) {
            await misbehave(item, sessions);
            connectionPlans.length = 0;
          }
          const others = inputs.filter((i) => !CONNECT_FAULTS.has(i.fault.response.faults?.[0] ?? ''));
          const good = Array.from({ length: 3 }, () => wellFormed(goodIndex++, expected));
          await Promise.all([...others.map((item) => misbehave(item, sessions)), ...good]);
        } finally {
          for (const s of sessions) s.destroy();
        }
        await atRest(sessions.map((s) => s.localPort()).filter((port) => port !== 0));
      }),
      { seed: SEED, numRuns: NUM_RUNS, interruptAfterTimeLimit: 100_000, markInterruptAsFailure: true },
    );
    // Still up, the same pool, nothing open but the pool's own sockets.
    await wellFormed(goodIndex++, expected);
    expect(server.openSockets()).toBeLessThanOrEqual(2);
  });
});
