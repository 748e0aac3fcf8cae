import { afterAll, beforeAll, describe, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createInterimTakenAsFinalClient } from './interim-103/interim-taken-as-final.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1203;
/** interim-103: a 103 Early Hints precedes the real response. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.interim103]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('interim-103', () => {
  const buggy = teethSettings('interim-taken-as-final', createInterimTakenAsFinalClient, SEED);

  it(`interim-taken-as-final is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches interim-taken-as-final with interim-103 on, by no-cross-talk (seed ${SEED})`, async () => {
    await expectCaught(server, 'no-cross-talk', withFault(buggy, FAULT_ON), {
      message: /received the reply to request/,
    });
  }, 40_000);

  it(`passes the correct mini pool with interim-103 on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
