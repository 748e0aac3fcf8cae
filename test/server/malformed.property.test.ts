import fc from 'fast-check';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../../src/server/index.js';
import { badRoundArbitrary, malformedRound, wellFormed, type FuzzTarget } from './support/malformed-inputs.js';

/** Fixed, printed, pasteable: `SEED=… npx vitest run test/server/malformed.property.test.ts` replays a failure. */
const SEED = Number(process.env.SEED ?? 20_251_125);
/** `npm run soak` runs the same generators over 10⁵ inputs (bench/fuzz-soak.ts). */
const NUM_RUNS = 30;
const MAX_BODY = 64 * 1024;
const DB = 'foundbite';

let target: FuzzTarget;

beforeAll(async () => {
  const server = await startMockServer({ maxBodyBytes: MAX_BODY });
  const user = server.couch.accounts().find((account) => account.databases.includes(DB))!.users[0]!;
  target = {
    server,
    pool: new Pool(server.origin, { connections: 2, connect: { ca: server.ca } }),
    authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`,
    db: DB,
    maxBodyBytes: MAX_BODY,
    expected: new Map(),
    nextGood: 0,
  };
});
afterAll(async () => {
  await target.pool.close();
  await target.server.close();
});

describe('malformed input never disturbs the server or well-formed traffic', () => {
  it(`property (seed ${SEED}, ${NUM_RUNS} runs)`, { timeout: 120_000 }, async () => {
    console.log(`malformed.property: seed ${SEED}`);
    await fc.assert(
      fc.asyncProperty(badRoundArbitrary(target), async (inputs) => {
        expect(await malformedRound(target, inputs)).toEqual([]);
      }),
      { seed: SEED, numRuns: NUM_RUNS, interruptAfterTimeLimit: 100_000, markInterruptAsFailure: true },
    );
    // Still up, same pool, nothing left open but the pool's own sockets.
    expect(await wellFormed(target)).toEqual([]);
    expect(target.server.openSockets()).toBeLessThanOrEqual(2);
  });
});
