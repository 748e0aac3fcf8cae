import { isDbAdmin, securityError } from './access.js';
import type { Database } from './database.js';
import { CouchError, NOT_DB_ADMIN, badRequest, methodNotAllowed, notFound } from './errors.js';
import { namedRev, parseIncomingDoc, validateDocId, type IncomingDoc } from './incoming-doc.js';
import { jsonReply, type Reply } from './reply.js';
import { header, jsonBody, queryValue, requireContentType, type RequestContext } from './request-context.js';
import { parseRev, revToString, type Rev } from './revisions.js';
import { absoluteUri, urlEncode, type ServerState } from './state.js';
import { localDocJson } from './stored-doc.js';

const sameRev = (a: Rev, b: Rev): boolean => a.pos === b.pos && a.id === b.id;

/** `extract_header_rev/2`: an `If-Match` rev must agree with an explicit one. */
function headerRev(context: RequestContext, explicit: Rev | undefined): Rev | undefined {
  const ifMatch = header(context.request, 'if-match');
  const etag = ifMatch === undefined ? undefined : parseRev(ifMatch.replace(/^"+|"+$/g, ''));
  if (explicit !== undefined && etag !== undefined && !sameRev(explicit, etag)) {
    throw badRequest('Document rev and etag have different values');
  }
  return explicit ?? etag;
}

/** `couch_doc_from_req/4`: the URL id wins; `?rev=`, the body's `_rev` and `If-Match` must agree. */
function docFromRequest(context: RequestContext, incoming: IncomingDoc): IncomingDoc {
  const queryRevText = queryValue(context, 'rev');
  const queryRev = queryRevText === undefined ? undefined : parseRev(queryRevText);
  const bodyRev = namedRev(incoming);
  if (bodyRev !== undefined) {
    if (queryRev !== undefined && !sameRev(queryRev, bodyRev)) {
      throw badRequest('Document rev from request body and query string have different values');
    }
    headerRev(context, bodyRev);
    return incoming;
  }
  const rev = headerRev(context, queryRev);
  return rev === undefined ? incoming : { ...incoming, revs: { start: rev.pos, ids: [rev.id] } };
}

/** Writes one document as the request's user; throws the CouchError a per-document failure would carry. */
export function writeDoc(
  context: RequestContext,
  db: Database,
  id: string,
  incoming: IncomingDoc,
  newEdits: boolean,
): string {
  if (id.startsWith('_design/') && !isDbAdmin(context.user, db.security)) {
    throw securityError(context.user, NOT_DB_ADMIN);
  }
  if (id.startsWith('_local/')) return db.writeLocal(id, incoming);
  return newEdits ? db.edit(id, incoming) : db.replicate(id, incoming);
}

function updatedReply(context: RequestContext, db: Database, id: string, rev: string, deleted: boolean): Reply {
  const headers = {
    ETag: `"${rev}"`,
    Location: absoluteUri(context.request.headers, `/${urlEncode(db.name)}/${urlEncode(id)}`),
  };
  return jsonReply(deleted ? 200 : 201, { ok: true, id, rev }, headers);
}

function getDoc(context: RequestContext, db: Database, id: string): Reply {
  const flag = (name: string): boolean => queryValue(context, name) === 'true';
  if (id.startsWith('_local/')) {
    const local = db.local(id);
    if (local === undefined) throw notFound('missing');
    const body = Buffer.from(localDocJson(local) + '\n', 'utf8');
    return { status: 200, headers: { ETag: `"0-${local.rev}"` }, body, chunked: false };
  }
  const doc = db.doc(id);
  if (doc === undefined) throw notFound('missing');
  const revText = queryValue(context, 'rev');
  let leaf = doc.winner;
  if (revText !== undefined) {
    const wanted = revToString(parseRev(revText));
    // Only leaves keep their bodies here, as after compaction.
    const found = doc.leaves.find((candidate) => candidate.revString === wanted);
    if (found === undefined) throw notFound('missing');
    leaf = found;
  } else if (doc.deleted) {
    throw notFound('deleted');
  }
  const meta = flag('meta');
  const json = doc.docJson(leaf, {
    conflicts: meta || flag('conflicts'),
    deletedConflicts: meta || flag('deleted_conflicts'),
    revisions: flag('revs'),
  });
  return { status: 200, headers: { ETag: `"${leaf.revString}"` }, body: Buffer.from(json + '\n'), chunked: false };
}

function exists(db: Database, id: string): void {
  if (id.startsWith('_local/')) {
    if (db.local(id) === undefined) throw notFound('missing');
    return;
  }
  const doc = db.doc(id);
  if (doc === undefined) throw notFound('missing');
  if (doc.deleted) throw notFound('deleted');
}

/** `GET|HEAD|PUT|DELETE /{db}/{docid}` (`_design/` and `_local/` ids included). */
export function handleDoc(context: RequestContext, db: Database, id: string): Reply {
  switch (context.method) {
    case 'GET':
      return getDoc(context, db, id);
    case 'PUT': {
      validateDocId(id);
      const newEdits = queryValue(context, 'new_edits') !== 'false';
      const incoming = docFromRequest(context, parseIncomingDoc(jsonBody(context)));
      const rev = writeDoc(context, db, id, incoming, newEdits);
      return updatedReply(context, db, id, rev, incoming.deleted);
    }
    case 'DELETE': {
      exists(db, id);
      const incoming = docFromRequest(context, { id, revs: undefined, deleted: true, body: {} });
      const rev = writeDoc(context, db, id, incoming, true);
      return updatedReply(context, db, id, rev, true);
    }
    default:
      throw methodNotAllowed('DELETE,GET,HEAD,POST,PUT,COPY');
  }
}

/** `POST /{db}`: a new document, its id from the body or generated. */
export function postDoc(context: RequestContext, state: ServerState, db: Database): Reply {
  requireContentType(context, 'application/json');
  const incoming = parseIncomingDoc(jsonBody(context));
  const id = incoming.id ?? state.nextUuid();
  const rev = writeDoc(context, db, id, incoming, true);
  if (queryValue(context, 'batch') === 'ok') return jsonReply(202, { ok: true, id });
  return updatedReply(context, db, id, rev, false);
}

/** `POST /{db}/_bulk_docs`, interactive or (`new_edits:false`) replicated. */
export function bulkDocs(context: RequestContext, state: ServerState, db: Database): Reply {
  if (context.method !== 'POST') throw methodNotAllowed('POST');
  requireContentType(context, 'application/json');
  const body = jsonBody(context);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object');
  }
  const docsArray = body['docs'];
  if (docsArray === undefined) throw badRequest('POST body must include `docs` parameter.');
  if (!Array.isArray(docsArray)) throw badRequest('`docs` parameter must be an array.');
  const newEdits = body['new_edits'] ?? true;
  const docs = docsArray.map((json) => {
    const incoming = parseIncomingDoc(json);
    if (newEdits === false && namedRev(incoming) === undefined) {
      throw badRequest('When `new_edits: false`, the document needs `_rev` or `_revisions` specified');
    }
    return { incoming, id: incoming.id ?? state.nextUuid() };
  });
  if (typeof newEdits !== 'boolean') throw badRequest('`new_edits` parameter must be a boolean.');
  const results: unknown[] = [];
  for (const { incoming, id } of docs) {
    try {
      const rev = writeDoc(context, db, id, incoming, newEdits);
      if (newEdits) results.push({ ok: true, id, rev });
    } catch (error) {
      if (!(error instanceof CouchError)) throw error;
      const named = namedRev(incoming);
      // Replicated writes only report failures, with the revision they were about.
      if (newEdits || named === undefined) results.push({ id, error: error.error, reason: error.reason });
      else results.push({ id, rev: revToString(named), error: error.error, reason: error.reason });
    }
  }
  return jsonReply(201, results);
}
