import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeBudget } from '../../src/verify/time-budget.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('timeBudget (the verification budget as a fast-check plugin)', () => {
  it('interrupts the runs once the budget has passed, and the result says so', async () => {
    let runs = 0;
    const details = await fc.check(
      fc.asyncProperty(fc.nat(), async () => {
        runs += 1;
        await sleep(10);
        return true;
      }),
      { seed: 1, numRuns: 1_000, plugins: [timeBudget(150)] },
    );
    expect(details.interrupted).toBe(true);
    expect(details.failed).toBe(false);
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(1_000);
  });

  it('abandons a run still going when the budget ends instead of waiting for it', async () => {
    const started = performance.now();
    const details = await fc.check(
      fc.asyncProperty(fc.nat(), () => new Promise<boolean>(() => undefined)),
      { seed: 1, numRuns: 5, plugins: [timeBudget(100)] },
    );
    expect(details.interrupted).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('leaves no timer behind once the runs are done', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    await fc.check(fc.asyncProperty(fc.nat(), async () => true), { seed: 1, numRuns: 50, plugins: [timeBudget(60_000)] });
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
