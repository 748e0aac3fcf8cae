import { authSessionCookie, checkSessionToken } from './cookie.js';
import { BAD_CREDENTIALS, badRequest, unauthorized } from './errors.js';
import { header } from './request-context.js';
import type { CouchRequest } from './types.js';
import { ANONYMOUS, userCtxOf, type UserCtx, type UserDirectory } from './users.js';

/** `Authorization: Basic …` as `couch_httpd_auth:basic_name_pw/1` reads it; undefined when absent or unusable. */
function basicCredentials(request: CouchRequest): { name: string; password: string } | undefined {
  const authorization = header(request, 'authorization');
  if (authorization === undefined || !authorization.startsWith('Basic ')) return undefined;
  const encoded = authorization.slice('Basic '.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw badRequest('Authorization header has invalid base64 value');
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const name = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // "_:_" is the conventional way to send no credentials.
  if (name === '_' && password === '_') return undefined;
  return { name, password };
}

/**
 * chttpd's handler chain `cookie, default`: a valid AuthSession cookie wins; otherwise Basic credentials, which
 * must be right (401 otherwise, on any path); otherwise the request is anonymous.
 */
export function authenticate(request: CouchRequest, users: UserDirectory, secret: string): UserCtx {
  const token = authSessionCookie(header(request, 'cookie'));
  if (token !== undefined && token !== '') {
    const check = checkSessionToken(token, (name) => users.get(name), secret, Math.floor(request.now / 1000));
    if (check.valid) return userCtxOf(check.user, 'cookie', check.refresh);
  }
  const authorization = header(request, 'authorization');
  const known = authorization === undefined ? undefined : users.verifiedHeader(authorization);
  if (known !== undefined) return userCtxOf(known, 'default');
  const credentials = basicCredentials(request);
  if (credentials === undefined) return ANONYMOUS;
  const user = users.get(credentials.name);
  if (user === undefined || user.password !== credentials.password) throw unauthorized(BAD_CREDENTIALS);
  users.rememberHeader(authorization!, user);
  return userCtxOf(user, 'default');
}
