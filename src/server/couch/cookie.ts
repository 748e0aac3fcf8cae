import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from './errors.js';
import type { KnownUser } from './users.js';

/** `[chttpd_auth] timeout`: a session cookie's life in seconds. */
export const SESSION_TIMEOUT_S = 600;

const MALFORMED = 'Malformed AuthSession cookie. Please clear your cookies.';

function sign(secret: string, salt: string, data: string): Buffer {
  // couch_secrets:sign/2: HMAC-SHA256 keyed by the server secret followed by the user's salt; raw bytes.
  return createHmac('sha256', secret + salt).update(data).digest();
}

/** `base64url("name:HEXSECONDS:" ++ raw HMAC)`, as `couch_httpd_auth:cookie_auth_cookie/4` builds it. */
export function makeSessionToken(user: KnownUser, secret: string, nowSeconds: number): string {
  const data = `${user.name}:${nowSeconds.toString(16).toUpperCase()}`;
  return Buffer.concat([Buffer.from(`${data}:`, 'utf8'), sign(secret, user.salt, data)]).toString('base64url');
}

/**
 * The `Set-Cookie` value mochiweb writes: `AuthSession=…; Version=1; Expires=…; Max-Age=600; Secure; Path=/;
 * HttpOnly`. Every attribute the IBM SDK reads (`AuthSession`, `Expires`, `Max-Age`) is followed by `;`.
 * The server is always TLS, so `Secure` is always there. Logging out sets an empty value with the same attributes.
 */
export function sessionCookieHeader(token: string, nowMs: number): string {
  const expires = new Date(nowMs + SESSION_TIMEOUT_S * 1000).toUTCString();
  return `AuthSession=${token}; Version=1; Expires=${expires}; Max-Age=${SESSION_TIMEOUT_S}; Secure; Path=/; HttpOnly`;
}

/** The first `AuthSession` value of a `Cookie` header (mochiweb's parse: `;` or `,` separated, quotes allowed). */
export function authSessionCookie(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(/[;,]/)) {
    const equals = part.indexOf('=');
    if (equals < 0 || part.slice(0, equals).trim() !== 'AuthSession') continue;
    let value = part.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

export type CookieCheck =
  | { valid: true; user: KnownUser; refresh: boolean }
  | { valid: false };

/**
 * `cookie_authentication_handler`: a cookie that does not split into three parts is a 400; an unknown user, a bad
 * HMAC or an expired timestamp just leaves the request anonymous (the next handler may still authenticate it).
 */
export function checkSessionToken(
  token: string,
  lookup: (name: string) => KnownUser | undefined,
  secret: string,
  nowSeconds: number,
): CookieCheck {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw badRequest(MALFORMED);
  const decoded = Buffer.from(token, 'base64url');
  const firstColon = decoded.indexOf(58);
  const secondColon = firstColon < 0 ? -1 : decoded.indexOf(58, firstColon + 1);
  if (secondColon < 0) throw badRequest(MALFORMED);
  const name = decoded.subarray(0, firstColon).toString('utf8');
  const timeText = decoded.subarray(firstColon + 1, secondColon).toString('latin1');
  const mac = decoded.subarray(secondColon + 1);
  const user = lookup(name);
  if (user === undefined || !/^[0-9A-Fa-f]+$/.test(timeText)) return { valid: false };
  const issuedAt = parseInt(timeText, 16);
  if (!(nowSeconds < issuedAt + SESSION_TIMEOUT_S)) return { valid: false };
  const expected = sign(secret, user.salt, `${name}:${timeText}`);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { valid: false };
  const timeLeft = issuedAt + SESSION_TIMEOUT_S - nowSeconds;
  return { valid: true, user, refresh: timeLeft < SESSION_TIMEOUT_S * 0.9 };
}
