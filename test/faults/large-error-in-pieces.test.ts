import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT } from '../../src/scenario/fault-names.js';
import { faultedResponse } from '../../src/scenario/faults.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../support/expect-caught.js';
import { createMiniPoolClient } from '../support/mini-pool.js';
import { createReturnsEarlyOnErrorStatusClient } from './large-error-in-pieces/returns-early-on-error-status.js';

/** Fixed, and printed in every title: paste it back to replay. */
const SEED = 1201;
/** large-error-in-pieces: a 500/503 with a 2-24 kB body, written in pieces with pauses between them. */
const FAULT_ON = { responsePlan: faultedResponse([FAULT.largeError]) };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('large-error-in-pieces', () => {
  const buggy = teethSettings('returns-early-on-error-status', createReturnsEarlyOnErrorStatusClient, SEED);

  it(`returns-early-on-error-status is safe with faults off (seed ${SEED})`, async () => {
    await expectSafe(server, faultsOff(buggy));
  }, 30_000);

  it(`catches returns-early-on-error-status with large-error-in-pieces on, by exactly-once and no-cross-talk (seed ${SEED})`, async () => {
    // The desync: the next caller on the socket parses the leftover error body as its status line.
    const result = await expectCaught(server, 'exactly-once', withFault(buggy, FAULT_ON), {
      message: /failed with MINI_POOL_PARSE \(malformed status line: .*the reply was lost in the client/,
    });
    // And the early return itself: the caller got the first piece of its error body as the whole of it.
    const torn = result.failure?.checks.find((c) => c.invariant === 'no-cross-talk')?.violations ?? [];
    expect(torn.map((v) => v.message).join('\n')).toMatch(/match no body the server sent .*: a torn or spliced body/);
  }, 40_000);

  it(`passes the correct mini pool with large-error-in-pieces on (seed ${SEED})`, async () => {
    await expectSafe(server, withFault(teethSettings('mini-pool', createMiniPoolClient, SEED), FAULT_ON));
  }, 30_000);
});
