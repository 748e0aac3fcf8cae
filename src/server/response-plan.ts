import type { IncomingMessage } from 'node:http';

/**
 * How the transport writes one response. Chosen per request by a `PlanSource`, keyed by the request id the client
 * sent (`X-Couch-Request-ID`), never by arrival order, so a seed replays the same schedule.
 *
 * Every field is optional; an empty plan is a plain, immediate response.
 */
export interface ResponsePlan {
  /**
   * Awaited before anything is written: the engine uses it to hold responses and release them in the scenario's
   * order. Resolves, never rejects.
   */
  gate?: () => Promise<void>;
  /**
   * Awaited before the head and before each further piece of the body, instead of `dripMs`: the engine grants the
   * server's writes one at a time across every response it released, so pieces reach the client in the schedule's
   * order. Resolves, never rejects; the piece must be written at once after it resolves.
   */
  turn?: () => Promise<void>;
  /**
   * Pause after the head and `atByte` body bytes (at least one byte is always left to write), until `gate` resolves:
   * the engine aborts the caller there and lets the rest go once the call has settled. Resolves, never rejects.
   */
  midBody?: { atByte: number; gate: () => Promise<void> };
  /** Wait this long before writing the status line and headers. */
  headerDelayMs?: number;
  /**
   * The engine's hold on a slow head: `sleeping()` as `headerDelayMs` begins, `woke(cut)` once it is over (`cut`: the
   * socket closed meanwhile, nothing will be written), and the head waits for what `woke` returns. The engine places
   * a slow reply in its schedule that way, so where it lands among later replies is the scenario's, not its timer's.
   * Resolves, never rejects.
   */
  slowHead?: { sleeping(): void; woke(cut: boolean): Promise<void> };
  /** Wait this long between the headers and the first body byte. */
  bodyDelayMs?: number;
  /** Split the body into writes at these byte offsets (ascending, within the body). */
  splitAt?: number[];
  /** Pause between the writes that `splitAt` makes (a slow drip), when no `turn` paces them. */
  dripMs?: number;
  /** Interim responses to send before the final one (100 only when the request had `Expect: 100-continue`). */
  interim?: Array<100 | 103>;
  /** Answer with `Connection: close` and close after the response. */
  connectionClose?: boolean;
  /** Advertise `Keep-Alive: timeout=N` (seconds). */
  keepAliveHintS?: number;
  /** Half-close (FIN) the socket right after the response, without announcing it. */
  finAfter?: boolean;
  /** Close the socket this long after the response if no new request has arrived on it (an idle close). */
  idleCloseMs?: number;
  /** Reset (RST) the socket after writing this many body bytes. */
  resetAtByte?: number;
  /** Reset (RST) the socket instead of answering (the request was read, nothing is written). */
  resetBeforeAnswer?: boolean;
  /** Replace the answer with this error (the real body is not sent). */
  replaceWith?: { status: 429 | 503 | 500; retryAfterS?: number; bodyBytes?: number };
  /** Send the chunked body with a trailer. */
  trailers?: boolean;
  /**
   * After this response, a second one nobody asked for, in the same write as the response's last bytes (so it is on
   * the socket before the client can send anything else there): a copy of this response, or another with its own id.
   */
  stray?: 'duplicate' | 'unsolicited';
  /**
   * Say nothing for this long once the response is due (after `stallAtByte` body bytes, if set: a stalled body), then
   * close (FIN). Meant to outlast the client's own timeout.
   */
  silenceMs?: number;
  /** With `silenceMs`: write the head and this many body bytes first, then fall silent without closing. */
  stallAtByte?: number;
  /**
   * Fail the first `attempts` attempts of this request id (counted by the server), then answer: with a 503, a reset
   * before answering, or a close (FIN) after reading the request.
   */
  failFirst?: { attempts: number; with: 503 | 'reset' | 'close' };
  /** Close (FIN) instead of answering: the request was read, not a byte is written (an empty response). */
  closeBeforeAnswer?: boolean;
  /** For a request with a body: read none of it, and close (FIN) or reset once the answer is due. */
  cutRequestBody?: 'close' | 'reset';
  /**
   * For a request with `Expect: 100-continue`: answer at once with a final 503 and no 100, keeping the connection,
   * and read whatever comes next as the withheld body (another request found there is recorded as `read-as-body`).
   * Requests without the expectation are answered plainly.
   */
  expectFinal?: boolean;
  /** A malformed answer instead of the real one, then a close. */
  malformed?:
    | { kind: 'bad-chunk-size'; atByte: number }
    | { kind: 'garbage'; bytes: number }
    /** The whole Content-Length, but the last `missing` bytes of the body never sent, then a FIN. */
    | { kind: 'short-body'; missing: number };
  /** Pad the body with trailing whitespace (still the same JSON) to at least this many bytes. */
  padBodyTo?: number;
  /**
   * Announce `Keep-Alive: timeout=5, max=N` and close (FIN, unannounced then) right after the N-th further response
   * on this socket (0: after this one); the responses in between count the hint down.
   */
  keepAliveMax?: number;
  /**
   * A fault for the connection the client opens for this operation (not for its request): the engine arms it when the
   * operation is issued and the server applies it to the next connection it accepts (see ConnectionPlan).
   */
  connect?: ConnectFault;
  /** Names of the faults this plan applies, recorded on the request. */
  faults?: string[];
}

/** What the server does to a connection before any TLS byte. */
export type ConnectFault =
  /** Reads the ClientHello and answers with a fatal handshake_failure alert, then closes. */
  | { kind: 'tls-alert' }
  /** Lets the handshake wait this long (real time) before taking part in it. */
  | { kind: 'tls-stall'; stallMs: number }
  /** Accepts and says nothing for this long (meant to outlast the client's timeout), then closes. */
  | { kind: 'accept-silent'; silenceMs: number }
  /** Resets the TCP connection as soon as it is accepted: what a client sees of a refused connection. */
  | { kind: 'connection-refused' };

/** A fault for one accepted connection, and the names recorded on its socket. */
export interface ConnectionPlan {
  fault: ConnectFault;
  faults: string[];
  /** The request id of the operation the fault was planned for (the engine's), when known. */
  forRequestId?: string;
}

export interface PlanSource {
  /** The plan for this request, or undefined for a plain response. Called once per request, on arrival. */
  planFor(requestId: string | undefined, request: IncomingMessage): ResponsePlan | undefined;
  /** A fault for the connection just accepted (TCP), before any TLS byte; called once per accepted connection. */
  connectionPlanFor?(socketId: number): ConnectionPlan | undefined;
}
