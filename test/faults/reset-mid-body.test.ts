import { afterAll, beforeAll, describe, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createLeaksPermitOnResetClient } from './reset-mid-body/leaks-permit-on-reset.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1201;
/** reset-mid-body: the server resets the connection partway through the body. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.resetMidBody]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('reset-mid-body', () => {
  const buggy = teethSettings('leaks-permit-on-reset', createLeaksPermitOnResetClient, SEED);

  it(`leaks-permit-on-reset is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches leaks-permit-on-reset with reset-mid-body on, by exactly-once (seed ${SEED})`, async () => {
    await expectCaught(server, 'exactly-once', withFault(buggy, FAULT_ON), {
      message: /never ended: .*the server never saw it .*Sockets: socket \d+: ended \(reset\)/,
    });
  }, 40_000);

  it(`passes the correct mini pool with reset-mid-body on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
