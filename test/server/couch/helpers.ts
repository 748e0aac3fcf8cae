import { readFileSync } from 'node:fs';
import { createCouch, loadFixtures, type Couch, type CouchRequest, type CouchResponse, type Fixtures } from '../../../src/server/couch/index.js';

/** Parsed once per test file; every test builds its own Couch over it, so writes never leak between tests. */
let fixtures: Fixtures | undefined;
export function freshCouch(): Couch {
  fixtures ??= loadFixtures(new URL('../../../fixtures/', import.meta.url).pathname);
  return createCouch({ fixtures });
}

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

export const ADMIN = { name: 'admin', password: 'crosstalk-admin-pw' };
export const AMARA = { name: 'amara', password: 'amara-pw' }; // education
export const CARMEN = { name: 'carmen', password: 'carmen-pw' }; // acme

export function basic(user: { name: string; password: string }): string {
  return 'Basic ' + Buffer.from(`${user.name}:${user.password}`).toString('base64');
}

export interface RequestOptions {
  query?: string;
  headers?: Record<string, string>;
  body?: unknown;
  as?: { name: string; password: string } | null;
  now?: number;
}

/** A request as the transport would hand it over; JSON bodies get `Content-Type: application/json`. */
export function req(method: string, path: string, options: RequestOptions = {}): CouchRequest {
  const headers: Record<string, string> = {};
  const as = options.as === undefined ? ADMIN : options.as;
  if (as !== null) headers['authorization'] = basic(as);
  let body: Buffer = Buffer.alloc(0);
  if (options.body !== undefined) {
    if (Buffer.isBuffer(options.body)) body = options.body;
    else if (typeof options.body === 'string') body = Buffer.from(options.body);
    else {
      body = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] = 'application/json';
    }
    headers['content-length'] = String(body.length);
  }
  Object.assign(headers, options.headers);
  for (const [key, value] of Object.entries(headers)) if (value === '') delete headers[key];
  return { method, path, query: options.query ?? '', headers, body, now: options.now ?? NOW };
}

// Each test asserts the shape it expects; a typed body here would only be cast away again.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function json(response: CouchResponse): any {
  return JSON.parse(response.body.toString('utf8'));
}

/** Ids of an `_all_docs` response, in order. */
export function ids(response: CouchResponse): string[] {
  return (json(response).rows as Array<{ id?: string; key: string }>).map((row) => row.id ?? row.key);
}

const JSON_PARAMS = new Set(['key', 'keys', 'startkey', 'endkey', 'start_key', 'end_key']);

/** A query string as nano builds one: key parameters JSON-encoded, the rest as text. */
export function q(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([key, value]) => {
      const text = JSON_PARAMS.has(key) || typeof value !== 'string' ? JSON.stringify(value) : value;
      return `${key}=${encodeURIComponent(text)}`;
    })
    .join('&');
}

/** The live ids of a fixture database, worked out from the file alone (a doc is live if any leaf is live). */
export function fixtureLiveIds(name: string): string[] {
  const path = new URL(`../../../fixtures/databases/${name}.json`, import.meta.url).pathname;
  const docs = JSON.parse(readFileSync(path, 'utf8')).docs as Array<{ _id: string; _deleted?: boolean }>;
  const live = new Map<string, boolean>();
  for (const doc of docs) {
    if (doc._id.startsWith('_local/')) continue;
    live.set(doc._id, (live.get(doc._id) ?? false) || doc._deleted !== true);
  }
  return byteOrder([...live].filter(([, isLive]) => isLive).map(([id]) => id));
}

export function byteOrder(values: string[]): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
