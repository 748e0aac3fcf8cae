import { gunzipSync } from 'node:zlib';
import type { AccountFixture, Couch, CouchRequest, CouchResponse } from '../../../src/server/couch/types.js';
import { rowsBody } from './tiny-couch.js';

/**
 * Just enough CouchDB behind the real mock transport to run the client suite before the real couch layer lands:
 * Basic auth against two accounts, `_all_docs` (and `/queries`) answered with tiny-couch's per-request body, 404 for
 * an unknown database, 403 for another account's. The transport inflates gzip request bodies now; a body that
 * still starts with gzip's magic bytes is inflated here, so the stand-in works with a transport that does not.
 */
const ACCOUNTS: AccountFixture[] = [
  { name: 'education', users: [{ name: 'amara', password: 'amara-pw' }], databases: ['foundbite'] },
  { name: 'acme', users: [{ name: 'carmen', password: 'carmen pw:é' }], databases: ['orders'] },
];

export function standInCouch(): Couch {
  return { handle, accounts: () => ACCOUNTS, admin: () => ({ name: 'admin', password: 'admin-pw' }) };
}

function handle(request: CouchRequest): CouchResponse {
  const user = authenticate(request.headers.authorization);
  const auth = { user: user?.name ?? null, tenant: user?.account.name ?? null, roles: [] };
  const reply = (status: number, body: string, chunked = false): CouchResponse => ({
    status,
    headers: {},
    body: Buffer.from(body),
    chunked,
    auth,
  });
  if (user === null) return reply(401, '{"error":"unauthorized","reason":"Name or password is incorrect."}\n');
  const route = /^\/([^/]+)\/_all_docs(\/queries)?$/.exec(request.path);
  const db = route?.[1] === undefined ? undefined : decodeURIComponent(route[1]);
  if (db === undefined || !ACCOUNTS.some((account) => account.databases.includes(db))) {
    return reply(404, '{"error":"not_found","reason":"Database does not exist."}\n');
  }
  if (!user.account.databases.includes(db)) {
    return reply(403, '{"error":"forbidden","reason":"You are not allowed to access this db."}\n');
  }
  const gzipped = request.body[0] === 0x1f && request.body[1] === 0x8b;
  const body = (gzipped ? gunzipSync(request.body) : request.body).toString('utf8');
  const requestId = String(request.headers['x-couch-request-id'] ?? '');
  const rows = rowsBody(requestId, request.method, request.query, body, user.name);
  return reply(200, route?.[2] === undefined ? rows : `{"results":[${rows.trimEnd()}]}\n`, true);
}

function authenticate(header: string | string[] | undefined): { name: string; account: AccountFixture } | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(typeof header === 'string' ? header : '');
  if (match?.[1] === undefined) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  for (const account of ACCOUNTS) {
    for (const user of account.users) {
      if (user.name === decoded.slice(0, colon) && user.password === decoded.slice(colon + 1)) return { name: user.name, account };
    }
  }
  return null;
}
