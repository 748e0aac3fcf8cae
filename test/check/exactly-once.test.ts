import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, teethSettings } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createLeaksPermitOnErrorClient } from './exactly-once/leaks-permit-on-error.js';
import { createRetriesPostOnErrorStatusClient } from './exactly-once/retries-post-on-error-status.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1104;

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('exactly-once', () => {
  it(`catches retries-post-on-error-status (seed ${SEED})`, async () => {
    await expectCaught(
      server,
      'exactly-once',
      teethSettings('retries-post-on-error-status', createRetriesPostOnErrorStatusClient, SEED),
    );
  }, 60_000);

  it(`catches leaks-permit-on-error (seed ${SEED})`, async () => {
    await expectCaught(server, 'exactly-once', teethSettings('leaks-permit-on-error', createLeaksPermitOnErrorClient, SEED));
  }, 60_000);

  it(`passes the correct mini pool with the same settings (seed ${SEED})`, async () => {
    await expectSafe(server, teethSettings('mini-pool', createMiniPoolClient, SEED));
  }, 60_000);
});
