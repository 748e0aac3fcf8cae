import fc from 'fast-check';
import type { WirePlan } from './scenario.js';

/** Well-behaved responses: small delays and bodies split into writes, no faults. */
export const plainResponse: fc.Arbitrary<WirePlan> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        headerDelayMs: fc.integer({ min: 0, max: 2 }),
        splitAt: fc.uniqueArray(fc.integer({ min: 1, max: 600 }), { maxLength: 3 }).map((a) => a.sort((x, y) => x - y)),
        dripMs: fc.integer({ min: 1, max: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
);

