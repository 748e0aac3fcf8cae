import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, teethSettings } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createUnboundedPoolClient } from './pool-bound/unbounded-pool.js';
import { createPipelinesOnBusySocketClient } from './pool-bound/pipelines-on-busy-socket.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1102;

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('pool-bound', () => {
  it(`catches unbounded-pool (seed ${SEED})`, async () => {
    await expectCaught(server, 'pool-bound', teethSettings('unbounded-pool', createUnboundedPoolClient, SEED));
  }, 60_000);

  it(`catches pipelines-on-busy-socket (seed ${SEED})`, async () => {
    await expectCaught(server, 'pool-bound', teethSettings('pipelines-on-busy-socket', createPipelinesOnBusySocketClient, SEED));
  }, 60_000);

  it(`passes the correct mini pool with the same settings (seed ${SEED})`, async () => {
    await expectSafe(server, teethSettings('mini-pool', createMiniPoolClient, SEED));
  }, 60_000);
});
