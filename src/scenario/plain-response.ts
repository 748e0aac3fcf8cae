import fc from 'fast-check';
import type { WirePlan } from './scenario.js';

/**
 * Well-behaved responses: whole, or split into pieces (written on the schedule's turns, so they interleave with
 * other replies the same way every replay), and now and then a slow head: 5-15 ms of real time, far beyond any
 * client's reflex (a 2 ms hedge fires), so what a slow reply provokes is provoked every time.
 */
export const plainResponse: fc.Arbitrary<WirePlan> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc
      .uniqueArray(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 3 })
      .map((a): WirePlan => ({ splitAt: a.sort((x, y) => x - y) })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 5, max: 15 }).map((headerDelayMs): WirePlan => ({ headerDelayMs })) },
);
