import { badContentType, badRequest, invalidJson } from './errors.js';
import { isJsonObject, parseJsonBytes, type Json, type JsonObject } from './json.js';
import { parseQuery, percentDecode, type QueryPair } from './query-string.js';
import type { CouchRequest } from './types.js';
import type { UserCtx } from './users.js';

/** A request as the handlers see it: HEAD answered as GET, the path split and decoded, the user known. */
export interface RequestContext {
  request: CouchRequest;
  /** The method handlers dispatch on: HEAD is GET (the transport drops the body). */
  method: string;
  /** Path segments, empty ones dropped, each percent-decoded (`+` is a space, as chttpd decodes by default). */
  parts: string[];
  user: UserCtx;
  query(): QueryPair[];
}

export function splitPath(path: string): string[] {
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '') continue;
    // Most segments have nothing to decode; they are used as they are, on the hot path.
    const plain = !segment.includes('%') && !segment.includes('+');
    parts.push(plain ? segment : percentDecode(segment, true).toString('utf8'));
  }
  return parts;
}

export function makeContext(request: CouchRequest, user: UserCtx): RequestContext {
  let pairs: QueryPair[] | undefined;
  return {
    request,
    method: request.method === 'HEAD' ? 'GET' : request.method,
    parts: splitPath(request.path),
    user,
    query: () => (pairs ??= parseQuery(request.query)),
  };
}

export function header(request: CouchRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `couch_httpd:validate_ctype/2`: the first `;`-separated token must be exactly the expected type. */
export function requireContentType(context: RequestContext, expected: string): void {
  const contentType = header(context.request, 'content-type');
  if (contentType === undefined || contentType.split(';')[0] !== expected) {
    throw badContentType(`Content-Type must be ${expected}`);
  }
}

/** `chttpd:json_body/1`. No Content-Length and no Transfer-Encoding means no body at all. */
export function jsonBody(context: RequestContext): Json {
  const { body, headers } = context.request;
  if (body.length === 0 && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    throw badRequest('Missing request body');
  }
  const parsed = parseJsonBytes(body);
  if (!parsed.ok) throw invalidJson();
  return parsed.value;
}

/** `chttpd:json_body_obj/1`. */
export function jsonBodyObject(context: RequestContext): JsonObject {
  const value = jsonBody(context);
  if (!isJsonObject(value)) throw badRequest('Request body must be a JSON object');
  return value;
}

export function queryValue(context: RequestContext, key: string): string | undefined {
  for (const pair of context.query()) if (pair.key === key) return pair.value.toString('utf8');
  return undefined;
}
