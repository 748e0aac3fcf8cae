import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badRoundArbitrary,
  malformedRound,
  startFuzzTarget,
  stopFuzzTarget,
  wellFormed,
  type FuzzTarget,
} from './support/malformed-inputs.js';

/** Fixed, printed, pasteable: `SEED=… npx vitest run test/server/malformed.property.test.ts` replays a failure. */
const SEED = Number(process.env.SEED ?? 20_251_125);
/** `npm run soak` runs the same generators over 10⁵ inputs (bench/fuzz-soak.ts). */
const NUM_RUNS = 30;
const MAX_BODY = 64 * 1024;
const DB = 'foundbite';

let target: FuzzTarget;

beforeAll(async () => {
  target = await startFuzzTarget(DB, MAX_BODY);
});
afterAll(() => stopFuzzTarget(target));

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
