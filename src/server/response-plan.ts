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
  /** Names of the faults this plan applies, recorded on the request. */
  faults?: string[];
}

export interface PlanSource {
  /** The plan for this request, or undefined for a plain response. Called once per request, on arrival. */
  planFor(requestId: string | undefined, request: IncomingMessage): ResponsePlan | undefined;
}
