import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { wireOperations } from '../support/wire-operation.js';
import { createIgnoresConnectionCloseClient } from './connection-close/ignores-connection-close.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1201;
/** connection-close: the response says Connection: close and the server closes after it. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.connectionClose]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('connection-close', () => {
  const buggy = teethSettings('ignores-connection-close', createIgnoresConnectionCloseClient, SEED);

  it(`ignores-connection-close is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches ignores-connection-close with connection-close on, by reuse (seed ${SEED})`, async () => {
    await expectCaught(server, 'reuse', withFault(buggy, FAULT_ON), {
      message: /after the server announced Connection: close/,
    });
  }, 40_000);

  it(`passes the correct mini pool with connection-close on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);

  it('sees it on the wire: a request written after Connection: close is recorded on the closed socket', async () => {
    server.setPlans({
      planFor: (id) => (id === 'announced' ? { connectionClose: true, faults: [FAULT.connectionClose] } : undefined),
    });
    const mark = server.recorder.mark();
    const { op, options } = wireOperations(server);
    const client = await createIgnoresConnectionCloseClient(options);
    try {
      // One socket: the queued call takes it the moment the announced response is read, before the FIN is.
      const [announced, after] = await Promise.allSettled([client.run(op('announced')), client.run(op('after'))]);
      expect(announced.status).toBe('fulfilled');
      // Written on the closing socket (a fresh socket would have answered): the FIN then fails it.
      expect(after).toMatchObject({ status: 'rejected', reason: { code: 'MINI_POOL_SOCKET_CLOSED' } });
    } finally {
      await client.close();
      server.setPlans(undefined);
    }
    await server.whenSocketsClosed(1000);
    const { sockets, requests } = server.recorder.since(mark);
    // The server half-closes and lingers instead of letting node destroy the socket, so the request that followed
    // is read and recorded on the same socket, after the announcement: what reuse's announced-close rule looks at.
    expect(requests.map((r) => r.requestId)).toEqual(['announced', 'after']);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]).toMatchObject({ endDetail: 'fault:connection-close', requestCount: 2 });
    expect(requests[1]).toMatchObject({ socketId: sockets[0]!.socketId, seq: 2 });
  }, 10_000);
});
