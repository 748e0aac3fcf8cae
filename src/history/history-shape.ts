import type { Shape } from './shape.js';

/**
 * What a RunHistory read back from a file must hold for the checks and the reports to read it: every field they use,
 * with its type. Anything else (a newer writer's optional fields) is carried along unread.
 */
const socketShape: Shape = {
  socketId: 'number',
  acceptedAt: 'number',
  handshakeAt: 'number|null',
  resumed: 'boolean',
  endedAt: 'number|null',
  end: 'string',
  endDetail: 'string|null',
};

const requestShape: Shape = {
  requestId: 'string',
  socketId: 'number',
  seq: 'number',
  method: 'string',
  path: 'string',
  identity: 'string|null',
  tenant: 'string|null',
  credential: 'string|null',
  arrivedAt: 'number',
  firstByteAt: 'number|null',
  lastByteAt: 'number|null',
  status: 'number',
  bytes: 'number',
  bodyDigest: 'string|null',
  faults: { array: 'string' },
  outcome: 'string',
};

const callShape: Shape = {
  opId: 'string',
  requestId: 'string',
  callerId: 'string',
  tenant: 'string',
  username: 'string',
  kind: 'string',
  method: 'string',
  issuedAt: 'number',
  settledAt: 'number|null',
  outcome: {
    union: 'type',
    cases: {
      response: { status: 'number', requestIdSeen: 'string|null', bodyDigest: 'string', bytes: 'number' },
      error: { code: 'string', message: 'string' },
    },
  },
};

const scenarioShape: Shape = {
  tenants: { array: { name: 'string', username: 'string' } },
  callers: { array: { callerId: 'string', tenant: 'string', ops: { array: { opId: 'string', kind: 'string' } } } },
};

export const RUN_HISTORY_SHAPE: Shape = {
  schema: 'number',
  client: 'string',
  connections: 'number',
  timeoutMs: 'number',
  traits: {
    maxSockets: 'number|null',
    pipelining: 'number',
    reuses: 'boolean',
    retriesIdempotent: 'boolean',
    maxRequestsPerSocket: 'number|null',
    socketsPerTenant: 'boolean',
  },
  scenario: scenarioShape,
  calls: { array: callShape },
  server: { sockets: { array: socketShape }, requests: { array: requestShape } },
  startedAt: 'number',
  callsEndedAt: 'number',
  deadlineMs: 'number',
  endedBy: 'string',
  quietMs: 'number',
  closeCalledAt: 'number',
  closeReturnedAt: 'number|null',
  socketsClosedAt: 'number|null',
  socketsLeftOpen: { nullable: { by: 'string', afterMs: 'number' } },
  closeBoundMs: 'number',
};
