import { createHash } from 'node:crypto';
import type { Database } from './database.js';
import type { AccountFixture } from './types.js';
import type { UserDirectory } from './users.js';

/** Everything a Couch instance holds; handlers read and write it, nothing else does. */
export interface ServerState {
  databases: Map<string, Database>;
  users: UserDirectory;
  accounts: AccountFixture[];
  admin: { name: string; password: string };
  cookieSecret: string;
  serverVersion: string;
  /** The server's instance uuid (`GET /`), derived from the secret so a run is reproducible. */
  serverUuid: string;
  /** Ids for documents posted without one; sequential and deterministic like `couch_uuids`' default algorithm. */
  nextUuid(): string;
}

export function uuidSource(seed: string): () => string {
  let counter = 0;
  const prefix = createHash('md5').update(`uuid:${seed}`).digest('hex').slice(0, 26);
  return () => {
    counter += 1;
    return prefix + counter.toString(16).padStart(6, '0');
  };
}

/** `couch_util:url_encode/1`: letters, digits and `_ . - :` stay, everything else is `%XX` (uppercase). */
export function urlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.:-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `chttpd:absolute_uri/2`: the client's Host (X-Forwarded-Host first); the mock only speaks TLS. */
export function absoluteUri(headers: Record<string, string | string[] | undefined>, path: string): string {
  const pick = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
  const host = pick(headers['x-forwarded-host']) ?? pick(headers['host']) ?? '127.0.0.1';
  return `https://${host}${path}`;
}
