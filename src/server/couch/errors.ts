/**
 * A CouchDB error as `chttpd:error_info/1` maps it: status, `error`, `reason`. Thrown inside the semantics layer the
 * way chttpd throws, and turned into a response at the one boundary (`handle`), which never throws.
 */
export class CouchError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
    readonly headers: Record<string, string | string[]> = {},
  ) {
    super(`${status} ${error}: ${reason}`);
    this.name = 'CouchError';
  }

  body(): { error: string; reason: string } {
    return { error: this.error, reason: this.reason };
  }
}

export const badRequest = (reason: string): CouchError => new CouchError(400, 'bad_request', reason);
export const queryParseError = (reason: string): CouchError => new CouchError(400, 'query_parse_error', reason);
export const invalidJson = (): CouchError => badRequest('invalid UTF-8 JSON');
export const badContentType = (reason: string): CouchError => new CouchError(415, 'bad_content_type', reason);
export const unauthorized = (reason: string): CouchError => new CouchError(401, 'unauthorized', reason);
export const forbidden = (reason: string): CouchError => new CouchError(403, 'forbidden', reason);
export const notFound = (reason = 'missing'): CouchError => new CouchError(404, 'not_found', reason);
export const dbNotFound = (): CouchError => notFound('Database does not exist.');
export const conflict = (): CouchError => new CouchError(409, 'conflict', 'Document update conflict.');
export const illegalDocId = (reason: string): CouchError => new CouchError(400, 'illegal_docid', reason);
export const docValidation = (reason: string): CouchError => new CouchError(400, 'doc_validation', reason);

export const NOT_SERVER_ADMIN = 'You are not a server admin.';
export const NOT_DB_ADMIN = 'You are not a db or server admin.';
export const BAD_CREDENTIALS = 'Name or password is incorrect.';

export function methodNotAllowed(allowed: string): CouchError {
  return new CouchError(405, 'method_not_allowed', `Only ${allowed} allowed`, { Allow: allowed });
}
