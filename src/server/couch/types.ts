/**
 * The boundary between transport (TLS, sockets, recording, faults) and CouchDB semantics (routes, _all_docs,
 * auth, errors). The couch side is pure: a request in, a response out, no I/O, so it is tested without sockets.
 */

export interface CouchRequest {
  method: string;
  /** Path without the query, percent-encoded as received (e.g. `/foundbite/_all_docs`). */
  path: string;
  /** Raw query string without `?` ('' when none). */
  query: string;
  /** Lower-cased header names, as node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The request body (empty for none). The transport has already bounded its size. */
  body: Buffer;
  /** Wall clock in ms (Date.now()), injected so cookie expiry is testable. */
  now: number;
}

/** Who the request was made as, for the recorder and the tenant-isolation check. */
export interface AuthContext {
  /** User name, or null for anonymous (or when the credentials were rejected). */
  user: string | null;
  /** The account (tenant) the user belongs to; `_admin` for a server admin; null when anonymous. */
  tenant: string | null;
  roles: string[];
}

export interface CouchResponse {
  status: number;
  /**
   * Extra headers for this response (e.g. `Allow`, `Set-Cookie`, `Location`). The transport adds the headers every
   * response carries (`Server`, `X-Couch-Request-ID`, `X-CouchDB-Body-Time`, `Cache-Control`, `Content-Type`).
   */
  headers: Record<string, string | string[]>;
  /**
   * The full body bytes. Empty for HEAD (the transport never writes a body for HEAD). May be shared with other
   * responses (repeated `_all_docs` bodies are cached): read it, never write into it.
   */
  body: Buffer;
  /** Transfer-Encoding: chunked (as CouchDB streams `_all_docs`), else Content-Length. */
  chunked: boolean;
  auth: AuthContext;
}

/** An account (tenant): its users and the databases they may read and write. */
export interface AccountFixture {
  name: string;
  users: Array<{ name: string; password: string; roles?: string[] }>;
  databases: string[];
}

export interface Couch {
  handle(request: CouchRequest): CouchResponse;
  /** Accounts served, for the CLI's announcement and the engine's tenants. */
  accounts(): AccountFixture[];
  /** The server admin's credentials (may read and write every database). */
  admin(): { name: string; password: string };
}
