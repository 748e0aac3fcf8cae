import { afterAll, beforeAll, describe, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createReturnsSocketOnAbortClient } from './late-reply/returns-socket-on-abort.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1201;
/** late-reply: the reply comes 25-60 ms late and its caller gives up 2-15 ms in. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.lateReply]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('late-reply', () => {
  const buggy = teethSettings('returns-socket-on-abort', createReturnsSocketOnAbortClient, SEED);

  it(`returns-socket-on-abort is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches returns-socket-on-abort with late-reply on, by no-cross-talk (seed ${SEED})`, async () => {
    await expectCaught(server, 'no-cross-talk', withFault(buggy, FAULT_ON), {
      message: /received the reply to request/,
    });
  }, 40_000);

  it(`passes the correct mini pool with late-reply on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
