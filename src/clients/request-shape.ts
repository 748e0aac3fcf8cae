import type { Credentials, Operation } from './contract.js';

/**
 * How an `Operation` goes on the wire, shared by the built-in clients that build requests themselves (nano and the
 * Cloudant SDK build their own, which is part of what is under test).
 */

/** Lower-case, as Node and undici hand response headers back. */
export const REQUEST_ID_HEADER = 'x-couch-request-id';

/** CouchDB reads these as JSON; every other parameter is a plain string. */
const JSON_PARAMS: ReadonlySet<string> = new Set(['key', 'keys', 'startkey', 'endkey', 'start_key', 'end_key']);

export interface RequestShape {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/foundbite/_all_docs?limit=2&startkey=%22a%22`. */
  path: string;
  /** Lower-case names. No `content-length`: each client computes it for its own body encoding. */
  headers: Record<string, string>;
  /** JSON text for POST, null for GET. */
  body: string | null;
}

export function requestShape(operation: Operation): RequestShape {
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: basicAuthorization(operation.credentials),
    [REQUEST_ID_HEADER]: operation.requestId,
  };
  const base = `/${encodeURIComponent(operation.db)}/_all_docs`;
  if (operation.kind === 'get') {
    return { method: 'GET', path: base + queryString(operation.params), headers, body: null };
  }
  headers['content-type'] = 'application/json';
  if (operation.kind === 'post') {
    return { method: 'POST', path: base, headers, body: JSON.stringify(operation.params) };
  }
  return { method: 'POST', path: `${base}/queries`, headers, body: JSON.stringify({ queries: operation.params.queries }) };
}

/**
 * `?a=1&b=2` in the params' own order (CouchDB lets a later parameter override an earlier one), or '' when empty.
 * `encodeURIComponent` rather than URLSearchParams: `%20`, not `+`, is read as a space by every server.
 */
export function queryString(params: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' && !JSON_PARAMS.has(name) ? value : JSON.stringify(value);
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(text)}`);
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

export function basicAuthorization(credentials: Credentials): string {
  const token = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
  return `Basic ${token}`;
}

/** A response header as the contract wants it: the first value, or null when absent. */
export function headerText(value: string | string[] | number | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value[0] ?? null;
  return String(value);
}
