import { FAULT } from '../../src/scenario/fault-names.js';
import { describeFaultClass } from './support/fault-class.js';
import { createAcceptsShortBodyClient } from './malformed/accepts-short-body.js';

describeFaultClass({
  title: 'malformed responses (bad-chunk-size, garbage-then-close, empty-response, short-body)',
  faults: [FAULT.badChunkSize, FAULT.garbageThenClose, FAULT.emptyResponse, FAULT.shortBody],
  seed: 1306,
  buggy: { name: 'accepts-short-body', factory: createAcceptsShortBodyClient },
  invariant: 'no-cross-talk',
  caught: { message: /match no body the server sent .*: a torn or spliced body/ },
});
