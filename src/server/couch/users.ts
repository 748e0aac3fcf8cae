import { createHash } from 'node:crypto';
import type { AccountFixture } from './types.js';

/** A user the server knows: from an account, or the server admin. */
export interface KnownUser {
  name: string;
  password: string;
  roles: string[];
  /** The account the user belongs to; `_admin` for the server admin. */
  tenant: string;
  /** Mixed into the cookie HMAC key, as a `_users` document's salt is. */
  salt: string;
}

/** The request's user context (`#user_ctx{}`): anonymous has a null name. */
export interface UserCtx {
  name: string | null;
  roles: string[];
  tenant: string | null;
  /** Which authentication handler recognised the user (`_session`'s `info.authenticated`). */
  handler: 'cookie' | 'default' | null;
  /** Set when a cookie-authenticated response should carry a fresh cookie (less than 90% of its life left). */
  refreshCookie: boolean;
}

export const ANONYMOUS: UserCtx = { name: null, roles: [], tenant: null, handler: null, refreshCookie: false };

export const isServerAdmin = (user: UserCtx): boolean => user.roles.includes('_admin');

export class UserDirectory {
  private readonly users = new Map<string, KnownUser>();
  /** `Authorization` headers already checked, so a pooled client's repeated header costs one lookup. */
  private readonly verified = new Map<string, KnownUser>();

  constructor(admin: { name: string; password: string }, accounts: readonly AccountFixture[]) {
    const salt = (name: string): string => createHash('sha1').update(`salt:${name}`).digest('hex');
    this.users.set(admin.name, { ...admin, roles: ['_admin'], tenant: '_admin', salt: salt(admin.name) });
    for (const account of accounts) {
      for (const user of account.users) {
        if (this.users.has(user.name)) throw new Error(`fixtures: user ${user.name} is defined twice`);
        this.users.set(user.name, {
          name: user.name,
          password: user.password,
          roles: user.roles ?? [],
          tenant: account.name,
          salt: salt(user.name),
        });
      }
    }
  }

  get(name: string): KnownUser | undefined {
    return this.users.get(name);
  }

  verifiedHeader(authorization: string): KnownUser | undefined {
    return this.verified.get(authorization);
  }

  /** Only headers that authenticated are remembered: a wrong password is checked (and refused) every time. */
  rememberHeader(authorization: string, user: KnownUser): void {
    if (this.verified.size >= 1024) this.verified.clear();
    this.verified.set(authorization, user);
  }
}

export function userCtxOf(user: KnownUser, handler: 'cookie' | 'default', refreshCookie = false): UserCtx {
  return { name: user.name, roles: user.roles, tenant: user.tenant, handler, refreshCookie };
}
