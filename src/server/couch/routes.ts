import { requireMember, requireServerAdmin } from './access.js';
import { handleDbPath, handleDbRoot } from './db-routes.js';
import { dbNotFound } from './errors.js';
import type { Reply } from './reply.js';
import type { RequestContext } from './request-context.js';
import { handleAllDbs, handleUp, handleWelcome } from './server-routes.js';
import { handleSession } from './session.js';
import type { ServerState } from './state.js';

/** Top-level endpoints anyone may call; every other `_`-path is for server admins. */
const OPEN_ENDPOINTS = new Set(['_session', '_up']);

/**
 * `chttpd_auth_request:authorize_request/1`, before any handler runs: so a missing database is a 404 even for an
 * anonymous caller, and a forbidden request never learns whether the method was allowed.
 */
function authorize(context: RequestContext, state: ServerState): void {
  const [first] = context.parts;
  if (first === undefined || OPEN_ENDPOINTS.has(first)) return;
  if (first.startsWith('_')) {
    requireServerAdmin(context.user);
    return;
  }
  if (context.parts.length === 1 && (context.method === 'PUT' || context.method === 'DELETE')) {
    requireServerAdmin(context.user);
    return;
  }
  const db = state.databases.get(first);
  if (db === undefined) throw dbNotFound();
  requireMember(context.user, db.security);
}

export function route(context: RequestContext, state: ServerState): Reply {
  authorize(context, state);
  const [first] = context.parts;
  if (first === undefined) return handleWelcome(context, state);
  if (first === '_all_dbs') return handleAllDbs(context, state);
  if (first === '_session' && context.parts.length === 1) return handleSession(context, state);
  if (first === '_up' && context.parts.length === 1) return handleUp(context);
  if (context.parts.length === 1) return handleDbRoot(context, state, first);
  const db = state.databases.get(first);
  // Other `_`-paths reach here only as an admin; chttpd would look for a database by that name.
  if (db === undefined) throw dbNotFound();
  return handleDbPath(context, state, db);
}
