import { compareIds, utf8 } from './collation.js';
import { methodNotAllowed, notFound } from './errors.js';
import { applyQuery, defaultArgs } from './params.js';
import { traversalSpan } from './range.js';
import { chunkedReply, jsonReply, type Reply } from './reply.js';
import type { RequestContext } from './request-context.js';
import type { ServerState } from './state.js';
import { validateAllDocsArgs } from './validate-args.js';

/** `GET /`: the welcome object, with the features and vendor of a stock 3.x node. */
export function handleWelcome(context: RequestContext, state: ServerState): Reply {
  if (context.method !== 'GET') throw methodNotAllowed('GET,HEAD');
  return jsonReply(200, {
    couchdb: 'Welcome',
    version: state.serverVersion,
    git_sha: 'c0ffee123',
    uuid: state.serverUuid,
    features: ['access-ready', 'partitioned', 'pluggable-storage-engines', 'reshard', 'scheduler'],
    vendor: { name: 'The Apache Software Foundation' },
  });
}

/**
 * `GET /_all_dbs`: streamed `["a","b"]\n`, in byte order, honouring the range parameters `_all_docs` takes
 * (it is `_all_docs` over the shards database).
 */
export function handleAllDbs(context: RequestContext, state: ServerState): Reply {
  if (context.parts.length > 1) {
    if (context.method === 'GET') throw notFound('missing');
    throw methodNotAllowed('GET,HEAD');
  }
  if (context.method !== 'GET') throw methodNotAllowed('GET,HEAD');
  const args = defaultArgs(undefined);
  applyQuery(args, context.query());
  const query = validateAllDocsArgs({ ...args, keys: undefined });
  const names = Array.from(state.databases.keys(), utf8).sort(compareIds);
  const span = traversalSpan(names, query);
  const ordered = query.descending ? [...names].reverse() : names;
  const first = span.from + query.skip;
  const selected = ordered.slice(first, Math.max(first, Math.min(span.to, first + query.limit)));
  const body = `[${selected.map((name) => JSON.stringify(name.toString('utf8'))).join(',')}]\n`;
  return chunkedReply(200, Buffer.from(body, 'utf8'));
}

/** `GET /_up`: the health check load balancers use. */
export function handleUp(context: RequestContext): Reply {
  if (context.method !== 'GET') throw methodNotAllowed('GET,HEAD');
  return jsonReply(200, { status: 'ok', seeds: {} });
}
