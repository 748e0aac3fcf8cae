import { FAULT } from '../../src/scenario/fault-names.js';
import { describeFaultClass } from './support/fault-class.js';
import { createExpectContinueClient } from './request-body/expect-continue-pool.js';
import { createSkipsBodyAndReusesClient } from './request-body/skips-body-and-reuses.js';

describeFaultClass({
  title: 'request body trouble (request-body-cut, expect-100-final)',
  faults: [FAULT.requestBodyCut, FAULT.expectFinal],
  seed: 1305,
  buggy: { name: 'skips-body-and-reuses', factory: createSkipsBodyAndReusesClient },
  invariant: 'reuse',
  caught: { message: /the server read r\S+ as that body/ },
  control: { name: 'expect-continue-pool', factory: createExpectContinueClient },
});
