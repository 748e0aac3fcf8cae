import { multiBody, runAllDocs, singleBody } from './all-docs.js';
import type { Database } from './database.js';
import { CouchError, badRequest, invalidJson, methodNotAllowed } from './errors.js';
import { isJsonObject, parseJsonBytes, type Json } from './json.js';
import { applyBody, applyQuery, defaultArgs } from './params.js';
import { firstValue } from './query-string.js';
import { chunkedReply, type Reply } from './reply.js';
import { jsonBodyObject, requireContentType, type RequestContext } from './request-context.js';
import { validateAllDocsArgs } from './validate-args.js';

/** `?keys=` as `chttpd:qs_json_value/3` reads it: the first occurrence, JSON, and it must be an array. */
function queryKeys(context: RequestContext): Json[] | undefined {
  const raw = firstValue(context.query(), 'keys');
  if (raw === undefined) return undefined;
  const parsed = parseJsonBytes(raw);
  if (!parsed.ok) throw invalidJson();
  if (!Array.isArray(parsed.value)) throw badRequest('`keys` parameter must be an array.');
  return parsed.value;
}

/** `GET|HEAD|POST /{db}/_all_docs`. The body's parameters apply first, the query string's on top of them. */
export function handleAllDocs(context: RequestContext, db: Database): Reply {
  if (context.method === 'GET') {
    return cached(db, `GET ${context.request.query}`, () => {
      const args = defaultArgs(queryKeys(context));
      applyQuery(args, context.query());
      return singleBody(runAllDocs(db, validateAllDocsArgs(args)));
    });
  }
  if (context.method === 'POST') {
    requireContentType(context, 'application/json');
    return cached(db, postKey('POST', context), () => {
      const body = jsonBodyObject(context);
      const keys = body['keys'];
      if (keys !== undefined && !Array.isArray(keys)) throw badRequest('`keys` body member must be an array.');
      const args = defaultArgs(keys);
      applyBody(args, body);
      applyQuery(args, context.query());
      return singleBody(runAllDocs(db, validateAllDocsArgs(args)));
    });
  }
  throw methodNotAllowed('GET,HEAD,POST');
}

/** Only successful bodies are cached: a request that fails is recomputed (and fails) every time. */
function cached(db: Database, key: string, compute: () => Buffer): Reply {
  let body = db.bodies.get(key);
  if (body === undefined) {
    body = compute();
    db.bodies.set(key, body);
  }
  return chunkedReply(200, body);
}

function postKey(kind: string, context: RequestContext): string {
  const { body, headers } = context.request;
  // An empty body with or without a length is a different error, so the key tells them apart.
  const framing = headers['content-length'] === undefined && headers['transfer-encoding'] === undefined ? '-' : '+';
  return `${kind} ${context.request.query} ${framing}${body.toString('latin1')}`;
}

/**
 * `POST /{db}/_all_docs/queries`. Unlike `_all_docs`, the query string gives the defaults and each query
 * overrides them; `keys`, `group` and `group_level` from the query string are dropped; a one-element `keys` in a
 * query becomes a `key` (the range path). No Content-Type check: chttpd does not make one here.
 */
export function handleAllDocsQueries(context: RequestContext, db: Database): Reply {
  if (context.method !== 'POST') throw methodNotAllowed('POST');
  return cached(db, postKey('QUERIES', context), () => multiQueryBody(context, db));
}

function multiQueryBody(context: RequestContext, db: Database): Buffer {
  const body = jsonBodyObject(context);
  const queries = body['queries'];
  if (queries === undefined) throw badRequest('POST body must include `queries` parameter.');
  if (!Array.isArray(queries)) throw badRequest('`queries` member must be an array.');
  const base = defaultArgs(undefined);
  applyQuery(base, context.query());
  const validated = queries.map((query) => {
    // chttpd matches each query against `{Props}`; anything else is a function_clause crash.
    if (!isJsonObject(query)) throw new CouchError(500, 'unknown_error', 'function_clause');
    const args = { ...base, keys: undefined, group: undefined, groupLevel: undefined };
    applyBody(args, query);
    return validateAllDocsArgs(args);
  });
  return multiBody(validated.map((query) => runAllDocs(db, query)));
}
