/** The mock Cloudant server: TLS transport, faults, and the server-side recorder. */
export { startMockServer, type MockServer, type MockServerOptions } from './mock-server.js';
export { generateCertificate, type ServerCertificate } from './certificate.js';
export type { Recorder, RecorderMark, RequestArrivedListener } from './recorder.js';
export type { PlanSource, ResponsePlan } from './response-plan.js';
export type { Couch, CouchRequest, CouchResponse, AccountFixture, AuthContext } from './couch/types.js';
export { SERVER_HEADER } from './response-head.js';
export type { ServerActivity } from './activity.js';
