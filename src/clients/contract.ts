/**
 * The contract a client under test fulfils. A client module (built-in or the user's own) exports a
 * `ClientFactory` as `default` or as `createClient`. crosstalk calls the factory ONCE per run and shares the
 * returned instance between every concurrent caller: that sharing is what is being verified.
 */

/** What crosstalk hands the factory. */
export interface ClientOptions {
  /** `https://127.0.0.1:PORT`, the mock server. */
  origin: string;
  /** PEM of the certificate that signs the mock's TLS certificate. Trust it; never disable verification. */
  ca: string;
  /** The pool bound to configure (max sockets). The pool-bound invariant checks against it. */
  connections: number;
  /** A per-operation timeout the client should apply, in ms (crosstalk's own deadline is separate and longer). */
  timeoutMs: number;
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * One Cloudant `_all_docs` operation (or its `/queries` batch form).
 *
 * - `get`: `GET /{db}/_all_docs` with `params` in the query string (JSON-valued parameters — `key`, `keys`,
 *   `startkey`, `endkey` and their snake_case forms — JSON-encoded, the rest as plain strings).
 * - `post`: `POST /{db}/_all_docs` with `params` as the JSON body.
 * - `queries`: `POST /{db}/_all_docs/queries` with body `{"queries": params.queries}`.
 */
export interface Operation {
  kind: 'get' | 'post' | 'queries';
  db: string;
  params: Record<string, unknown>;
  /**
   * Send this as the `X-Couch-Request-ID` request header. The server echoes it and records it: it is how a reply is
   * matched to the request the server actually answered. ≤ 36 chars of `[A-Za-z0-9_-]`.
   */
  requestId: string;
  /** The calling tenant's credentials. Use them for this operation only (Basic auth or a session cookie). */
  credentials: Credentials;
  /** Aborted when the caller gives up on the operation; the client should stop and reject. */
  signal: AbortSignal;
}

/** What the caller got back. Return it for any HTTP status; reject (throw) only when there was no response. */
export interface OperationResult {
  status: number;
  /** The response's `X-Couch-Request-ID` header, or null if absent. */
  requestId: string | null;
  /** The response body exactly as received (bytes as UTF-8 text). */
  body: string;
}

/** Facts about the client that change what is legitimate; all optional. */
export interface ClientTraits {
  /**
   * Max sockets the client may hold open at once for the given options; `null` = unbounded by design (e.g. a new
   * client per call). Defaults to `options.connections`.
   */
  maxSockets?: number | null;
  /** Requests the client may pipeline on one socket (default 1: no pipelining). */
  pipelining?: number;
  /** True when the client is meant to reuse sockets (default true). A new-client-per-call client says false. */
  reuses?: boolean;
  /** True when the client may retry an idempotent request on its own (a GET on a fresh socket). */
  retriesIdempotent?: boolean;
  /**
   * Requests after which the client retires a socket on purpose (undici's `maxRequestsPerClient`); closing a socket
   * that has served this many is then not keep-alive lost. Default: no such limit.
   */
  maxRequestsPerSocket?: number | null;
  /**
   * True when a socket is kept for the tenant whose credentials it first carried and never lent to another (Apache
   * HttpClient's user tokens, .NET with NTLM): reuse is then checked within each tenant. Default false.
   */
  socketsPerTenant?: boolean;
  /**
   * True when `run()` rejects on an error status (4xx/5xx) by design instead of resolving with it, as undici's
   * `throwOnError` (now its `responseError` interceptor) and axios's default `validateStatus` do. The rejection is then
   * not a lost reply; what is checked is what becomes of the socket after the error: its body read or discarded, the
   * socket reused or closed, never left stalled. Default false.
   */
  rejectsErrorStatus?: boolean;
  /**
   * True for a client in another process (an `--exec` worker; set by crosstalk, not by the worker): its threads reach
   * its pool in an order crosstalk does not see, and a connection goes back to the pool some time after the answer
   * line is written. The idle-socket rule of `reuse` then allows for both. Default false.
   */
  outOfProcess?: boolean;
}

export interface ClientUnderTest {
  run(operation: Operation): Promise<OperationResult>;
  /** Release every socket. crosstalk then checks that the server sees them all close. */
  close(): Promise<void>;
  traits?: ClientTraits;
}

export type ClientFactory = (options: ClientOptions) => ClientUnderTest | Promise<ClientUnderTest>;
