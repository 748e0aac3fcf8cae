import { describe, it } from 'vitest';
import { clientSuite } from './support/client-suite.js';
import { mockReadiness, startMockTarget } from './support/mock-target.js';
import { standInCouch } from './support/stand-in-couch.js';

// The suite run against tiny-couch, now through the real mock's transport (TLS, recorder, response plans): with a
// stand-in CouchDB layer, and with the mock's own.
clientSuite('the mock transport with a stand-in couch', () => startMockTarget(standInCouch()));

const mock = await mockReadiness();
if (mock.serves) {
  const skip = mock.inflatesGzip ? {} : { cloudant: 'the mock does not inflate gzip request bodies (CouchDB does)' };
  clientSuite('the mock server', () => startMockTarget(), skip);
} else {
  describe('built-in clients against the mock server', () => it.skip('the mock server cannot serve yet'));
}
