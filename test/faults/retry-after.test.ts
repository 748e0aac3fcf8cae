import { afterAll, beforeAll, describe, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createRetriesOnRetryAfterClient } from './retry-after/retries-on-retry-after.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1202;
/** retry-after: a 429 or 503 with Retry-After 0-2 s instead of the answer. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.retryAfter]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('retry-after', () => {
  const buggy = teethSettings('retries-on-retry-after', createRetriesOnRetryAfterClient, SEED);

  it(`retries-on-retry-after is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches retries-on-retry-after with retry-after on, by exactly-once (seed ${SEED})`, async () => {
    await expectCaught(server, 'exactly-once', withFault(buggy, FAULT_ON), {
      message: /is a POST, not idempotent, yet the server received and executed it 2 times/,
    });
  }, 40_000);

  it(`passes the correct mini pool with retry-after on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
