import fc from 'fast-check';
import type { WirePlan } from './scenario.js';

/**
 * Well-behaved responses: whole, or split into pieces (written on the schedule's turns, so they interleave with
 * other replies the same way every replay), and now and then a slow head: 3-6 ms of real time after its release.
 * A client's own timer shorter than that (a 2 ms hedge, started when the request was sent, before the server held
 * it) expires first in the same event loop every time, so what a slow reply provokes it provokes on every replay;
 * where the slow reply lands among the replies after it is the release gate's schedule (see SLOW_HEAD_LANDS_AFTER),
 * so its sleep overlaps the batches that go out meanwhile instead of stalling the run.
 */
export const plainResponse: fc.Arbitrary<WirePlan> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc
      .uniqueArray(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 3 })
      .map((a): WirePlan => ({ splitAt: a.sort((x, y) => x - y) })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 3, max: 6 }).map((headerDelayMs): WirePlan => ({ headerDelayMs })) },
);
