/**
 * Names of the server-side faults, as the scenario plans them and the server records them on each request.
 * The checks read them to tell a legitimate outcome of a fault from a bug.
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
} as const;

export type FaultName = (typeof FAULT)[keyof typeof FAULT];

/** After these, the server broke the socket: the request may legitimately fail and an idempotent one be retried. */
export const BREAKING_FAULTS: ReadonlySet<string> = new Set([
  FAULT.resetMidBody,
  FAULT.resetBeforeAnswer,
  FAULT.idleClose,
  FAULT.finAfter,
  FAULT.connectionClose,
]);
