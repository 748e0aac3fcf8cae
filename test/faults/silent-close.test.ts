import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIN_RACE_MS } from '../../src/check/reuse.js';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import type { ResponsePlan } from '../../src/server/response-plan.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { wireOperations } from '../support/wire-operation.js';
import { createIgnoresServerFinClient } from './silent-close/ignores-server-fin.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1204;
/**
 * fin-after (a FIN right after the response) and idle-close (a close after 0-12 ms idle), with idle gaps of 80-120 ms
 * before some operations, so that a request can come well past FIN_RACE_MS after the close.
 */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.finAfter, FAULT.idleClose]), idleGapMs: [80, 120] as [number, number] };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('silent-close (fin-after, idle-close)', () => {
  const buggy = teethSettings('ignores-server-fin', createIgnoresServerFinClient, SEED);

  it(`ignores-server-fin is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches ignores-server-fin with fin-after and idle-close on, by reuse (seed ${SEED})`, async () => {
    await expectCaught(server, 'reuse', withFault(buggy, FAULT_ON), {
      message: /was written on socket \d+ \d+ ms after the server closed it \((fin-after|idle-close)\)/,
      replayAttempts: 3,
    });
  }, 40_000);

  it(`passes the correct mini pool with fin-after and idle-close on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);

  it('records a request written on a socket after the server closed it, by FIN or by idle close', async () => {
    const plans: Record<string, ResponsePlan> = {
      'fin-a': { finAfter: true, faults: [FAULT.finAfter] },
      'idle-a': { idleCloseMs: 5, faults: [FAULT.idleClose] },
    };
    server.setPlans({ planFor: (id) => (id === undefined ? undefined : plans[id]) });
    const mark = server.recorder.mark();
    const { op, options } = wireOperations(server);
    const client = await createIgnoresServerFinClient(options);
    try {
      for (const close of ['fin', 'idle']) {
        await client.run(op(`${close}-a`));
        await sleep(80);
        // The idle socket is handed out; the request goes out on it, and its response meets the end of the stream.
        await expect(client.run(op(`${close}-b`))).rejects.toMatchObject({ code: 'MINI_POOL_SOCKET_CLOSED' });
      }
    } finally {
      await client.close();
      server.setPlans(undefined);
    }
    await server.whenSocketsClosed(1000);
    const { sockets, requests } = server.recorder.since(mark);
    const socketIdOf = (id: string) => requests.find((r) => r.requestId === id)?.socketId;
    const socketOf = (id: string) => sockets.find((s) => s.socketId === socketIdOf(id));
    // fin-after only half-closes: the server still reads, and records the late request on the closed socket.
    const finSocket = socketOf('fin-a')!;
    const finLate = requests.find((r) => r.requestId === 'fin-b')!;
    expect(finSocket).toMatchObject({ endDetail: 'fault:fin-after', requestCount: 2 });
    expect(finLate).toMatchObject({ socketId: finSocket.socketId, seq: 2 });
    expect(finLate.arrivedAt - finSocket.endedAt!).toBeGreaterThan(FIN_RACE_MS);
    // idle-close half-closes and lingers too, so the request written on the idle socket is read and recorded.
    const idleSocket = socketOf('idle-a')!;
    const idleLate = requests.find((r) => r.requestId === 'idle-b')!;
    expect(idleSocket).toMatchObject({ endDetail: 'fault:idle-close', requestCount: 2 });
    expect(idleLate).toMatchObject({ socketId: idleSocket.socketId, seq: 2 });
    expect(idleLate.arrivedAt - idleSocket.endedAt!).toBeGreaterThan(FIN_RACE_MS);
  }, 10_000);
});
