import { FAULT } from '../../src/scenario/fault-names.js';
import { describeFaultClass } from './support/fault-class.js';
import { createKeepsStrayBytesClient } from './stray-bytes/keeps-stray-bytes.js';

describeFaultClass({
  title: 'stray bytes on a kept-alive socket (stray-response)',
  faults: [FAULT.strayResponse],
  seed: 1301,
  buggy: { name: 'keeps-stray-bytes', factory: createKeepsStrayBytesClient },
  invariant: 'no-cross-talk',
  caught: { message: /received the (stray response|reply to request .*the stray copy)/ },
});
