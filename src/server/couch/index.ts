/**
 * The CouchDB semantics of the mock: `createCouch()` gives a pure `handle(request) → response` over the fixtures.
 * Transport (TLS, sockets, standard headers, recording, faults) lives elsewhere.
 */
export { createCouch, type CouchOptions } from './couch.js';
export { FixtureError, defaultFixturesDir, loadFixtures, type DatabaseFixture, type Fixtures } from './fixtures.js';
export type { AccountFixture, AuthContext, Couch, CouchRequest, CouchResponse } from './types.js';
