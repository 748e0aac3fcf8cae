import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, teethSettings } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createCloseForgetsIdleSocketsClient } from './clean-close/close-forgets-idle-sockets.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1106;

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('clean-close', () => {
  it(`catches close-forgets-idle-sockets (seed ${SEED})`, async () => {
    await expectCaught(server, 'clean-close', teethSettings('close-forgets-idle-sockets', createCloseForgetsIdleSocketsClient, SEED));
  }, 60_000);

  it(`passes the correct mini pool with the same settings (seed ${SEED})`, async () => {
    await expectSafe(server, teethSettings('mini-pool', createMiniPoolClient, SEED));
  }, 60_000);
});
