import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, teethSettings } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createClosesAfterEachResponseClient } from './reuse/closes-after-each-response.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1103;

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('reuse', () => {
  it(`catches closes-after-each-response (seed ${SEED})`, async () => {
    await expectCaught(
      server,
      'reuse',
      teethSettings('closes-after-each-response', createClosesAfterEachResponseClient, SEED),
    );
  }, 60_000);

  it(`passes the correct mini pool with the same settings (seed ${SEED})`, async () => {
    await expectSafe(server, teethSettings('mini-pool', createMiniPoolClient, SEED));
  }, 60_000);
});
