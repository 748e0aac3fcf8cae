import { FAULT } from '../../src/scenario/fault-names.js';
import { describeFaultClass } from './support/fault-class.js';
import { createStopsReusingAfterMaxClient } from './keep-alive-hints/stops-reusing-after-max.js';

describeFaultClass({
  title: 'Keep-Alive hints at the boundary (keep-alive-max, keep-alive-timeout)',
  faults: [FAULT.keepAliveMax, FAULT.keepAliveTimeout],
  seed: 1308,
  buggy: { name: 'stops-reusing-after-max', factory: createStopsReusingAfterMaxClient },
  invariant: 'reuse',
  caught: { message: /keep-alive was dropped/ },
});
