import { NOT_DB_ADMIN, NOT_SERVER_ADMIN, forbidden, unauthorized, type CouchError } from './errors.js';
import { isJsonObject, type Json } from './json.js';
import type { SecurityObject } from './database.js';
import { isServerAdmin, type UserCtx } from './users.js';

interface NamesAndRoles {
  names: string[];
  roles: string[];
}

function section(security: SecurityObject, name: 'admins' | 'members'): NamesAndRoles {
  const value: Json | undefined = security[name];
  const object = isJsonObject(value) ? value : {};
  const strings = (list: Json | undefined): string[] =>
    Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
  return { names: strings(object['names']), roles: strings(object['roles']) };
}

/** `couch_db:is_authorized/2`: by name or by a shared role; `_admin` is always an admin role. */
function matches(user: UserCtx, allowed: NamesAndRoles): boolean {
  if (user.name !== null && allowed.names.includes(user.name)) return true;
  return user.roles.some((role) => allowed.roles.includes(role));
}

export function isDbAdmin(user: UserCtx, security: SecurityObject): boolean {
  return isServerAdmin(user) || matches(user, section(security, 'admins'));
}

/** `couch_db:is_member/1`: admins, everyone when the members list is empty (a public db), or a listed member. */
export function isMember(user: UserCtx, security: SecurityObject): boolean {
  if (isDbAdmin(user, security)) return true;
  const members = section(security, 'members');
  if (members.names.length === 0 && members.roles.length === 0) return true;
  return matches(user, members);
}

/** `throw_security_error/1,2`: anonymous gets 401 unauthorized, a known user 403 forbidden. */
export function securityError(user: UserCtx, reason: string): CouchError {
  return user.name === null ? unauthorized(reason) : forbidden(reason);
}

export function requireMember(user: UserCtx, security: SecurityObject): void {
  if (isMember(user, security)) return;
  throw securityError(
    user,
    user.name === null ? 'You are not authorized to access this db.' : 'You are not allowed to access this db.',
  );
}

export function requireDbAdmin(user: UserCtx, security: SecurityObject): void {
  if (!isDbAdmin(user, security)) throw securityError(user, NOT_DB_ADMIN);
}

/** `couch_httpd:verify_is_server_admin/1`: always 401, even for a known user. */
export function requireServerAdmin(user: UserCtx): void {
  if (!isServerAdmin(user)) throw unauthorized(NOT_SERVER_ADMIN);
}
