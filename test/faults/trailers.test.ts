import { afterAll, beforeAll, describe, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createIgnoresTrailersClient } from './trailers/ignores-trailers.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1201;
/** trailers: the chunked body ends with a trailer section naming its request. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.trailers]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('trailers', () => {
  const buggy = teethSettings('ignores-trailers', createIgnoresTrailersClient, SEED);

  it(`ignores-trailers is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches ignores-trailers with trailers on, by exactly-once (seed ${SEED})`, async () => {
    await expectCaught(server, 'exactly-once', withFault(buggy, FAULT_ON), {
      message: /MINI_POOL_PARSE \(malformed status line: "X-Crosstalk-Trailer: r\d+-c\d+-o\d+"\).*the reply was lost in the client/,
    });
  }, 40_000);

  it(`passes the correct mini pool with trailers on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
