import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, teethSettings } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createSharedAuthHeaderClient } from './tenant-isolation/shared-auth-header.js';
import { createCoalesceIgnoresCredentialsClient } from './tenant-isolation/coalesce-ignores-credentials.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1105;

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('tenant-isolation', () => {
  it(`catches shared-auth-header (seed ${SEED})`, async () => {
    await expectCaught(server, 'tenant-isolation', teethSettings('shared-auth-header', createSharedAuthHeaderClient, SEED));
  }, 60_000);

  it(`catches coalesce-ignores-credentials (seed ${SEED})`, async () => {
    await expectCaught(server, 'tenant-isolation', teethSettings('coalesce-ignores-credentials', createCoalesceIgnoresCredentialsClient, SEED));
  }, 60_000);

  it(`passes the correct mini pool with the same settings (seed ${SEED})`, async () => {
    await expectSafe(server, teethSettings('mini-pool', createMiniPoolClient, SEED));
  }, 60_000);
});
