import type {
  AccountFixture,
  AuthContext,
  Couch,
  CouchRequest,
  CouchResponse,
} from '../../../src/server/couch/types.js';

/**
 * A tiny stand-in for the couch layer: just enough CouchDB to test the transport without depending on it.
 * Basic auth only; `/{db}/_all_docs` returns `rows` rows, chunked like CouchDB; `/_echo` returns the request.
 */
export const ACCOUNTS: AccountFixture[] = [
  { name: 'acme', users: [{ name: 'alice', password: 'alice-pw' }], databases: ['acme-db'] },
  { name: 'globex', users: [{ name: 'bob', password: 'bob-pw' }], databases: ['globex-db'] },
];

const ANONYMOUS: AuthContext = { user: null, tenant: null, roles: [] };

function authOf(request: CouchRequest): AuthContext {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Basic ')) return ANONYMOUS;
  const [name, password] = Buffer.from(header.slice(6), 'base64').toString().split(':');
  for (const account of ACCOUNTS) {
    const user = account.users.find((candidate) => candidate.name === name && candidate.password === password);
    if (user !== undefined) return { user: user.name, tenant: account.name, roles: [] };
  }
  return ANONYMOUS;
}

function json(status: number, value: unknown, auth: AuthContext, headers: Record<string, string> = {}): CouchResponse {
  return { status, headers, body: Buffer.from(JSON.stringify(value)), chunked: false, auth };
}

export function allDocsBody(rows: number): Buffer {
  const lines = Array.from({ length: rows }, (_, index) => {
    const id = `doc-${String(index).padStart(4, '0')}`;
    return JSON.stringify({ id, key: id, value: { rev: `1-${'a'.repeat(32)}` } });
  });
  return Buffer.from(`{"total_rows":${rows},"offset":0,"rows":[\r\n${lines.join(',\r\n')}\r\n]}\n`);
}

export function fakeCouch(rows = 20): Couch {
  return {
    accounts: () => ACCOUNTS,
    admin: () => ({ name: 'admin', password: 'admin-pw' }),
    handle(request) {
      const auth = authOf(request);
      if (request.path === '/') return json(200, { couchdb: 'Welcome' }, auth);
      if (request.path === '/_echo') {
        return json(200, { method: request.method, query: request.query, body: request.body.toString() }, auth);
      }
      if (request.path === '/_crash') throw new Error('handler crashed');
      if (request.path === '/_bad-header') return json(200, {}, auth, { 'X-Broken': 'line\nbreak' });
      const match = /^\/([a-z][a-z0-9-]*)\/_all_docs$/.exec(request.path);
      if (match === null) return json(404, { error: 'not_found', reason: 'missing' }, auth);
      if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'POST') {
        return json(405, { error: 'method_not_allowed', reason: 'Only GET,HEAD,POST allowed' }, auth, {
          Allow: 'GET,HEAD,POST',
        });
      }
      const body = request.method === 'HEAD' ? Buffer.alloc(0) : allDocsBody(rows);
      return { status: 200, headers: {}, body, chunked: true, auth };
    },
  };
}

export function basic(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}
