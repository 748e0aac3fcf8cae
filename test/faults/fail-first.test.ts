import { FAULT } from '../../src/scenario/fault-names.js';
import { expect, it } from 'vitest';
import { faultedResponse } from '../../src/scenario/faults.js';
import { verifyAgainst } from '../../src/verify/verify.js';
import { teethSettings, withFault } from '../support/expect-caught.js';
import { describeFaultClass } from './support/fault-class.js';
import { createRetriesGetOnceClient } from './fail-first/retries-get-once.js';
import { createRetriesOnSameSocketClient } from './fail-first/retries-on-same-socket.js';

describeFaultClass({
  title: 'fail the first N attempts, then succeed (fail-first: 503, reset, close)',
  faults: [FAULT.failFirst],
  seed: 1304,
  buggy: { name: 'retries-on-same-socket', factory: createRetriesOnSameSocketClient },
  invariant: 'reuse',
  caught: { message: /was sent again on socket \d+, the socket the server had closed \(fail-first\)/ },
  control: { name: 'retries-get-once', factory: createRetriesGetOnceClient },
}, (server) => {
  it('shows the retries of a correct retrying client as legitimate', async () => {
    const settings = withFault(teethSettings('retries-get-once', createRetriesGetOnceClient, 1304), {
      responsePlan: faultedResponse([FAULT.failFirst]),
    });
    const result = await verifyAgainst(server(), { ...settings, runs: 10 });
    expect(result.verdict).toBe('safe');
    const exactlyOnce = result.invariants.find((i) => i.invariant === 'exactly-once')!;
    expect(exactlyOnce.figures.retries).toBeGreaterThan(0);
  }, 30_000);
});
