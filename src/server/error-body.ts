import type { AuthContext, CouchResponse } from './couch/types.js';

const ANONYMOUS: AuthContext = { user: null, tenant: null, roles: [] };

/** `{"error":…,"reason":…}`, CouchDB's shape for every error. */
export function couchErrorBody(error: string, reason: string): Buffer {
  return Buffer.from(JSON.stringify({ error, reason }));
}

/** An error the transport answers itself (413, 417, a handler crash), without asking the couch layer. */
export function transportError(status: number, error: string, reason: string, auth = ANONYMOUS): CouchResponse {
  return { status, headers: {}, body: couchErrorBody(error, reason), chunked: false, auth };
}

const REPLACEMENT: Record<429 | 503 | 500, { error: string; reason: string }> = {
  429: { error: 'too_many_requests', reason: "You've exceeded your rate limit allowance. Please try again later." },
  503: { error: 'service_unavailable', reason: 'Service unavailable, try again later.' },
  500: { error: 'unknown_error', reason: 'An internal error occurred.' },
};

/**
 * The body of a `replaceWith` fault: Cloudant's wording, padded inside `reason` to exactly `bodyBytes` when asked
 * (a large error body is what exposes clients that stop reading early). Never shorter than the plain error.
 */
export function replacementBody(status: 429 | 503 | 500, bodyBytes?: number): Buffer {
  const { error, reason } = REPLACEMENT[status];
  const plain = couchErrorBody(error, reason);
  if (bodyBytes === undefined || bodyBytes <= plain.length) return plain;
  return couchErrorBody(error, reason + ' '.repeat(bodyBytes - plain.length));
}
