import { afterAll, beforeAll, describe, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createRetriesPostAfterResetClient } from './reset-before-answer/retries-post-after-reset.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1202;
/** reset-before-answer: the server reads the request and resets the connection. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.resetBeforeAnswer]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('reset-before-answer', () => {
  const buggy = teethSettings('retries-post-after-reset', createRetriesPostAfterResetClient, SEED);

  it(`retries-post-after-reset is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches retries-post-after-reset with reset-before-answer on, by exactly-once (seed ${SEED})`, async () => {
    await expectCaught(server, 'exactly-once', withFault(buggy, FAULT_ON), {
      message: /is a POST, not idempotent, yet the server received and executed it 2 times/,
    });
  }, 40_000);

  it(`passes the correct mini pool with reset-before-answer on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
