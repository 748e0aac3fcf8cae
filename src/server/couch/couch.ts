import { createHash } from 'node:crypto';
import { authenticate } from './authenticate.js';
import { makeSessionToken, sessionCookieHeader } from './cookie.js';
import { ADMIN_ONLY_SECURITY, Database, type SecurityObject } from './database.js';
import { CouchError } from './errors.js';
import { FixtureError, defaultFixturesDir, loadFixtures, type Fixtures } from './fixtures.js';
import { parseIncomingDoc } from './incoming-doc.js';
import { isJsonObject, type JsonObject } from './json.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import { makeContext } from './request-context.js';
import { route } from './routes.js';
import { uuidSource, type ServerState } from './state.js';
import type { AccountFixture, AuthContext, Couch, CouchRequest, CouchResponse } from './types.js';
import { ANONYMOUS, UserDirectory, type UserCtx } from './users.js';

export interface CouchOptions {
  /** Where `accounts.json` and `databases/` live; the repository's `fixtures/` by default. */
  fixturesDir?: string;
  /** Already-loaded fixtures (wins over `fixturesDir`), so many instances can share one parse. */
  fixtures?: Fixtures;
  /** The server secret session cookies are signed with. Fixed by default, so a seed replays the same cookies. */
  cookieSecret?: string;
  /** Reported by `GET /` (the transport's `Server` header is its own). */
  serverVersion?: string;
}

const DEFAULT_SECRET = 'crosstalk-default-cookie-secret';
const DEFAULT_VERSION = '3.4.2';

function securityFor(name: string, accounts: readonly AccountFixture[], explicit: SecurityObject | undefined): SecurityObject {
  if (explicit !== undefined) return structuredClone(explicit);
  const owner = accounts.find((account) => account.databases.includes(name));
  if (owner === undefined) return structuredClone(ADMIN_ONLY_SECURITY);
  return { admins: { names: [], roles: [] }, members: { names: owner.users.map((user) => user.name), roles: [] } };
}

/** Replays a fixture as `_bulk_docs` with `new_edits:false`; `_local` docs keep the revision written in the file. */
function loadDatabase(name: string, docs: Fixtures['databases'][number]['docs'], security: SecurityObject): Database {
  const db = new Database(name, security);
  docs.forEach((json, index) => {
    if (!isJsonObject(json) || typeof json['_id'] !== 'string') {
      throw new FixtureError(`fixtures: ${name}: document ${index} has no _id`);
    }
    const id = json['_id'];
    try {
      if (id.startsWith('_local/')) {
        const rev = typeof json['_rev'] === 'string' ? Number(json['_rev'].replace(/^0-/, '')) : 1;
        const body: JsonObject = Object.fromEntries(Object.entries(json).filter(([key]) => !key.startsWith('_')));
        db.loadLocal(id, rev, body);
      } else {
        db.replicate(id, parseIncomingDoc(json));
      }
    } catch (error) {
      if (!(error instanceof CouchError)) throw error;
      throw new FixtureError(`fixtures: ${name}: document ${JSON.stringify(id)}: ${error.reason}`);
    }
  });
  return db;
}

function authContext(user: UserCtx): AuthContext {
  return { user: user.name, tenant: user.tenant, roles: [...user.roles] };
}

export function createCouch(options: CouchOptions = {}): Couch {
  const fixtures = options.fixtures ?? loadFixtures(options.fixturesDir ?? defaultFixturesDir());
  const cookieSecret = options.cookieSecret ?? DEFAULT_SECRET;
  const state: ServerState = {
    databases: new Map(),
    users: new UserDirectory(fixtures.admin, fixtures.accounts),
    accounts: fixtures.accounts,
    admin: fixtures.admin,
    cookieSecret,
    serverVersion: options.serverVersion ?? DEFAULT_VERSION,
    serverUuid: createHash('md5').update(`server:${cookieSecret}`).digest('hex'),
    nextUuid: uuidSource(cookieSecret),
  };
  for (const fixture of fixtures.databases) {
    const security = securityFor(fixture.name, fixtures.accounts, fixture.security);
    state.databases.set(fixture.name, loadDatabase(fixture.name, fixture.docs, security));
  }

  function respond(request: CouchRequest, reply: Reply, user: UserCtx): CouchResponse {
    const headers = { ...reply.headers };
    const known = user.name === null ? undefined : state.users.get(user.name);
    // `cookie_auth_header/2`: an aging cookie is renewed on any response that does not set one itself.
    if (user.refreshCookie && known !== undefined && headers['Set-Cookie'] === undefined) {
      const token = makeSessionToken(known, cookieSecret, Math.floor(request.now / 1000));
      headers['Set-Cookie'] = sessionCookieHeader(token, request.now);
    }
    const body = request.method === 'HEAD' ? Buffer.alloc(0) : reply.body;
    return { status: reply.status, headers, body, chunked: reply.chunked, auth: authContext(user) };
  }

  function failure(error: unknown): Reply {
    if (error instanceof CouchError) return errorReply(error);
    const reason = error instanceof Error ? error.message : String(error);
    return jsonReply(500, { error: 'unknown_error', reason });
  }

  return {
    handle(request: CouchRequest): CouchResponse {
      let user: UserCtx;
      try {
        user = authenticate(request, state.users, cookieSecret);
      } catch (error) {
        return respond(request, failure(error), ANONYMOUS);
      }
      const context = makeContext(request, user);
      let reply: Reply;
      try {
        reply = route(context, state);
      } catch (error) {
        reply = failure(error);
      }
      return respond(request, reply, context.user);
    },
    accounts: () => structuredClone(state.accounts),
    admin: () => ({ ...state.admin }),
  };
}
