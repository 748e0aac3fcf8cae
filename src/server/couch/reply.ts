import type { CouchError } from './errors.js';
import { jsonBody } from './json.js';

/** A response before the auth context is attached: what a route handler returns. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  chunked: boolean;
}

/** A plain JSON response (`send_json`): Content-Length, body newline-terminated. */
export function jsonReply(status: number, value: unknown, headers: Record<string, string | string[]> = {}): Reply {
  return { status, headers, body: jsonBody(value), chunked: false };
}

/** A streamed response (`start_delayed_json_response`): chunked on the wire. */
export function chunkedReply(status: number, body: Buffer): Reply {
  return { status, headers: {}, body, chunked: true };
}

export function errorReply(error: CouchError): Reply {
  return jsonReply(error.status, error.body(), error.headers);
}
