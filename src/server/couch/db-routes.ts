import { requireDbAdmin } from './access.js';
import { handleAllDocs, handleAllDocsQueries } from './all-docs-handler.js';
import { ADMIN_ONLY_SECURITY, Database } from './database.js';
import { bulkDocs, handleDoc, postDoc } from './documents.js';
import { CouchError, badRequest, dbNotFound, methodNotAllowed, notFound } from './errors.js';
import { isJsonObject } from './json.js';
import { jsonReply, type Reply } from './reply.js';
import { jsonBody, queryValue, type RequestContext } from './request-context.js';
import { absoluteUri, urlEncode, type ServerState } from './state.js';

const DB_NAME = /^[a-z][a-z0-9_$()+/-]*$/;

function createDb(context: RequestContext, state: ServerState, name: string): Reply {
  if (!DB_NAME.test(name)) {
    throw new CouchError(
      400,
      'illegal_database_name',
      `Name: '${name}'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, ` +
        'and / are allowed. Must begin with a letter.',
    );
  }
  if (state.databases.has(name)) {
    throw new CouchError(412, 'file_exists', 'The database could not be created, the file already exists.');
  }
  state.databases.set(name, new Database(name, structuredClone(ADMIN_ONLY_SECURITY)));
  return jsonReply(201, { ok: true }, { Location: absoluteUri(context.request.headers, `/${urlEncode(name)}`) });
}

function deleteDb(context: RequestContext, state: ServerState, name: string): Reply {
  if (queryValue(context, 'rev') !== undefined) {
    throw badRequest(
      'You tried to DELETE a database with a ?=rev parameter. Did you mean to DELETE a document instead?',
    );
  }
  if (!state.databases.delete(name)) throw dbNotFound();
  return jsonReply(200, { ok: true });
}

/** `/{db}` itself. Authorization (admin for PUT/DELETE, member otherwise) has already been checked. */
export function handleDbRoot(context: RequestContext, state: ServerState, name: string): Reply {
  if (context.method === 'PUT') return createDb(context, state, name);
  if (context.method === 'DELETE') return deleteDb(context, state, name);
  const db = state.databases.get(name);
  if (db === undefined) throw dbNotFound();
  if (context.method === 'GET') return jsonReply(200, db.info());
  if (context.method === 'POST') return postDoc(context, state, db);
  throw methodNotAllowed('DELETE,GET,HEAD,POST');
}

function handleSecurity(context: RequestContext, db: Database): Reply {
  if (context.method === 'GET') return jsonReply(200, db.security);
  if (context.method !== 'PUT') throw methodNotAllowed('PUT,GET');
  requireDbAdmin(context.user, db.security);
  const security = jsonBody(context);
  if (!isJsonObject(security)) throw badRequest('Request body must be a JSON object');
  db.security = security;
  return jsonReply(200, { ok: true });
}

/** Everything under `/{db}/…`, routed as `chttpd_db:db_req/2` does. */
export function handleDbPath(context: RequestContext, state: ServerState, db: Database): Reply {
  const rest = context.parts.slice(1);
  const [first, second] = rest;
  if (first === '_all_docs' && rest.length === 1) return handleAllDocs(context, db);
  if (first === '_all_docs' && second === 'queries' && rest.length === 2) return handleAllDocsQueries(context, db);
  if (first === '_bulk_docs' && rest.length === 1) return bulkDocs(context, state, db);
  if (first === '_security' && rest.length === 1) return handleSecurity(context, db);
  if (first === '_local' || first === '_local/') {
    if (rest.length === 1 || second === undefined) throw badRequest('Invalid _local document id.');
    if (rest.length > 2) throw badRequest('_local documents do not accept attachments.');
    return handleDoc(context, db, `_local/${second}`);
  }
  if (first === '_design' && second !== undefined) {
    // Design-document handlers (views, shows) and attachments are not part of the mock.
    if (rest.length > 2) throw notFound('missing');
    return handleDoc(context, db, `_design/${second}`);
  }
  if (first !== undefined && first.startsWith('_design/') && context.method === 'GET') {
    // chttpd redirects an escaped `_design%2F` to the canonical path.
    const raw = context.request.path.replace(/_design%2F/i, '_design/');
    return { status: 301, headers: { Location: absoluteUri(context.request.headers, raw) }, body: Buffer.alloc(0), chunked: false };
  }
  if (first !== undefined && rest.length === 1) return handleDoc(context, db, first);
  // Attachments are not part of the mock.
  throw notFound('missing');
}
