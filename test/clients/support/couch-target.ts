import type { Credentials } from '../../../src/clients/contract.js';

/** What a client test needs from a server, so one suite runs against tiny-couch and against the real mock. */
export interface CouchTarget {
  origin: string;
  ca: string;
  /** At least two tenants: a user's credentials and a database that user may read. */
  tenants: Array<{ credentials: Credentials; db: string }>;
  /** A database that does not exist (404). */
  missingDb: string;
  /** Whether a request with this id has reached the server (it may not be answered yet). */
  arrived(requestId: string): Promise<boolean>;
  /** What the server recorded for a request id, once it has answered in full. */
  served(requestId: string): Promise<Served | undefined>;
  /** The server's sockets, in accept order; `endedAt` null while open. `performance.now()` times. */
  sockets(): Promise<Array<{ acceptedAt: number; endedAt: number | null }>>;
  /**
   * The server never answers request ids `hang-*`, cuts the connection mid-body for `cut-*`, and stops sending after
   * a few body bytes for `stall-*`.
   */
  close(): Promise<void>;
}

export interface Served {
  identity: string | null;
  status: number;
  bodyDigest: string | null;
  method: string;
  path: string;
  query: string;
  /** The request body after gzip is undone; only tiny-couch keeps it. */
  body?: string;
  /** The Authorization header as received; only tiny-couch keeps it. */
  authorization?: string | null;
}

/** Most sockets open at the same moment among those accepted at or after `since`. */
export function maxConcurrentSockets(sockets: Array<{ acceptedAt: number; endedAt: number | null }>, since: number): number {
  const events: Array<[number, number]> = [];
  for (const socket of sockets) {
    if (socket.acceptedAt < since) continue;
    events.push([socket.acceptedAt, 1], [socket.endedAt ?? Number.POSITIVE_INFINITY, -1]);
  }
  // At equal times a close counts before an accept: a socket replaced in the same instant is not two open.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, delta] of events) {
    open += delta;
    max = Math.max(max, open);
  }
  return max;
}
