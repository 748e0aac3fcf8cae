import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, teethSettings } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createClosesAfterEachResponseClient } from './reuse/closes-after-each-response.js';
import { createNewAgentPerRequestClient } from './reuse/new-agent-per-request.js';

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

  it(`catches new-agent-per-request, within its bound of 50 (seed ${SEED})`, async () => {
    const result = await expectCaught(
      server,
      'reuse',
      teethSettings('new-agent-per-request', createNewAgentPerRequestClient, SEED),
      { message: /went out on a new socket \d+ while socket \d+ sat idle and healthy/ },
    );
    expect(result.failure!.checks.find((c) => c.invariant === 'pool-bound')?.status).not.toBe('violated');
  }, 60_000);

  it(`passes the correct mini pool with the same settings (seed ${SEED})`, async () => {
    await expectSafe(server, teethSettings('mini-pool', createMiniPoolClient, SEED));
  }, 60_000);
});
