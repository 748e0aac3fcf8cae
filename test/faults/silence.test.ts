import { FAULT } from '../../src/scenario/fault-names.js';
import { describeFaultClass } from './support/fault-class.js';
import { createTimeoutCoversHeadOnlyClient } from './silence/timeout-covers-head-only.js';

describeFaultClass({
  title: "silence longer than the client's own timeout (no-response, stalled-body)",
  faults: [FAULT.noResponse, FAULT.stalledBody],
  seed: 1303,
  buggy: { name: 'timeout-covers-head-only', factory: createTimeoutCoversHeadOnlyClient },
  // A third of the operations wait out the client's timeout: fewer runs, more time.
  settings: { runs: 12, timeBudgetMs: 20_000 },
  invariant: 'exactly-once',
  caught: { message: /a body that stopped part-way \(stalled-body\).*the client does not honour the timeout it was given/ },
});
