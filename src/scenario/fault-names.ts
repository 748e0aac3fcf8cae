/**
 * Names of the server-side faults, as the scenario plans them and the server records them on each request (or, for
 * the faults of a connection, on the socket). The checks read them to tell a legitimate outcome of a fault from a bug.
 */
export const FAULT = {
  headerDelay: 'header-delay',
  bodyDelay: 'body-delay',
  drip: 'slow-drip',
  lateReply: 'late-reply',
  interim100: 'interim-100',
  interim103: 'interim-103',
  connectionClose: 'connection-close',
  keepAliveHint: 'keep-alive-hint',
  finAfter: 'fin-after',
  idleClose: 'idle-close',
  resetMidBody: 'reset-mid-body',
  resetBeforeAnswer: 'reset-before-answer',
  retryAfter: 'retry-after',
  largeError: 'large-error-in-pieces',
  trailers: 'trailers',
  // Stray bytes on a kept-alive socket.
  strayResponse: 'stray-response',
  // TLS and connect: faults of the connection the client opens for an operation, recorded on the socket.
  tlsAlert: 'tls-alert',
  tlsStall: 'tls-stall',
  acceptSilent: 'accept-silent',
  connectionRefused: 'connection-refused',
  // Silence longer than the client's own timeout.
  noResponse: 'no-response',
  stalledBody: 'stalled-body',
  // Fail the first N attempts of a request id, then answer.
  failFirst: 'fail-first',
  // Request body trouble.
  requestBodyCut: 'request-body-cut',
  expectFinal: 'expect-100-final',
  /** Recorded by the server on a request it found inside another request's withheld body (see expect-100-final). */
  readAsBody: 'read-as-body',
  // Malformed responses.
  badChunkSize: 'bad-chunk-size',
  garbageThenClose: 'garbage-then-close',
  emptyResponse: 'empty-response',
  shortBody: 'short-body',
  // Bodies past a client's read buffer.
  largeBody: 'large-body',
  // Keep-Alive hints at the boundary.
  keepAliveMax: 'keep-alive-max',
  keepAliveTimeout: 'keep-alive-timeout',
} as const;

export type FaultName = (typeof FAULT)[keyof typeof FAULT];

/** After these, the server broke the socket: the request may legitimately fail and an idempotent one be retried. */
export const BREAKING_FAULTS: ReadonlySet<string> = new Set([
  FAULT.resetMidBody,
  FAULT.resetBeforeAnswer,
  FAULT.idleClose,
  FAULT.finAfter,
  FAULT.connectionClose,
  FAULT.noResponse,
  FAULT.stalledBody,
  FAULT.requestBodyCut,
  FAULT.badChunkSize,
  FAULT.garbageThenClose,
  FAULT.emptyResponse,
  FAULT.shortBody,
  FAULT.keepAliveMax,
  FAULT.keepAliveTimeout,
]);

/** Faults of a connection rather than of a request: the engine arms them when the operation is issued. */
export const CONNECT_FAULTS: ReadonlySet<string> = new Set([
  FAULT.tlsAlert,
  FAULT.tlsStall,
  FAULT.acceptSilent,
  FAULT.connectionRefused,
]);

/** Faults that stay silent for longer than the client's own timeout: the client must give up by that timeout. */
export const SILENCE_FAULTS: ReadonlySet<string> = new Set([FAULT.noResponse, FAULT.stalledBody, FAULT.acceptSilent]);

/**
 * Server closes (socket `endDetail`s) that nothing in the response announced: the client learns of them only when the
 * FIN arrives, so a request may race one; one written well after it is the client ignoring the FIN.
 */
export const UNANNOUNCED_CLOSES: ReadonlySet<string> = new Set(
  [
    FAULT.finAfter,
    FAULT.idleClose,
    FAULT.keepAliveMax,
    FAULT.keepAliveTimeout,
    FAULT.noResponse,
    FAULT.stalledBody,
    FAULT.failFirst,
    FAULT.requestBodyCut,
    FAULT.badChunkSize,
    FAULT.garbageThenClose,
    FAULT.emptyResponse,
    FAULT.shortBody,
  ].map((name) => `fault:${name}`),
);

/** The request id an unsolicited stray response carries: the id of the response it follows, and this suffix. */
export const STRAY_SUFFIX = '-stray';

export function strayRequestId(requestId: string): string {
  return `${requestId}${STRAY_SUFFIX}`.slice(-36);
}
