/** A client-sent `X-Couch-Request-ID` that CouchDB echoes back: up to 36 chars of `[A-Za-z0-9_-]`. */
const ECHOABLE = /^[A-Za-z0-9_-]{1,36}$/;

export function isEchoableRequestId(value: string): boolean {
  return ECHOABLE.test(value);
}

/**
 * Generates the ids the server answers with when the client sent none (or an unusable one): 10 lowercase hex chars
 * like CouchDB's. A per-server counter rather than random bytes: cheap, unique within a server, and the same on
 * every replay of a seed.
 */
export class RequestIdGenerator {
  private issued = 0;

  next(): string {
    this.issued += 1;
    return this.issued.toString(16).padStart(10, '0');
  }
}
