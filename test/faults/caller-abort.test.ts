import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createDoubleReleaseOnAbortClient } from './caller-abort/double-release-on-abort.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1204;
/** callers abort one operation in five, 0-15 ms in; no server faults. */
const FAULT_ON = { abortPercent: 20 };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('caller-abort', () => {
  const buggy = teethSettings('double-release-on-abort', createDoubleReleaseOnAbortClient, SEED);

  it(`double-release-on-abort is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches double-release-on-abort with caller-abort on, by pool-bound (seed ${SEED})`, async () => {
    await expectCaught(server, 'pool-bound', withFault(buggy, FAULT_ON), {
      message: /but the pool is bounded to 2/,
      replayAttempts: 3,
    });
  }, 40_000);

  it(`passes the correct mini pool with caller-abort on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
