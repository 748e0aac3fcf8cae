import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSeed } from '../../src/verify/config.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { everyFaultSettings } from '../../src/verify/run-verify.js';
import { describeResult, teethSettings } from '../support/expect-caught.js';
import { verifyAgainst } from '../../src/verify/verify.js';
import { createReferencePool, pairwisePolicies, policyName } from '../support/reference-pool.js';

/**
 * Correct pools with unusual but legitimate policies raise no alarm: the reference pool in eight combinations of
 * its switches that cover every pair of them, with every fault on (the mix `verify --faults` runs). The soak runs
 * all 64 combinations, 1,000 runs each.
 */
const SEED = 1301;
const FRESH = freshSeed();
// As `verify --faults` runs them: the client's timeout shorter than the silences, crosstalk's deadline past them.
const ALL_FAULTS = { ...everyFaultSettings(), noShrink: true, deadlineMs: 4_000 };

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer();
});
afterAll(async () => {
  await server?.close();
});

describe('legitimate pool policies', () => {
  for (const policy of pairwisePolicies()) {
    for (const seed of [SEED, FRESH]) {
      it(`${policyName(policy)}: safe with every fault on (seed ${seed})`, async () => {
        const settings = { ...teethSettings(`reference ${policyName(policy)}`, createReferencePool(policy), seed), ...ALL_FAULTS, runs: 12 };
        const result = await verifyAgainst(server, settings);
        expect(result.verdict, describeResult(result)).toBe('safe');
      }, 60_000);
    }
  }
});
