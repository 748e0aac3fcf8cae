import type { OutgoingHttpHeaders } from 'node:http';
import { announceKeepAliveMax } from './answer-faults.js';
import { replacementBody } from './error-body.js';
import type { ResponseJob } from './respond.js';
import type { ResponsePlan } from './response-plan.js';
import { responseHeaders, type Framing } from './response-head.js';

/** Carries the request id, so a client that reads the trailer as the next response's head shows whose it was. */
export const TRAILER_NAME = 'X-Crosstalk-Trailer';

export function framing(chunked: boolean, head: boolean, body: Buffer): Framing {
  if (chunked) return { chunked: true };
  // A HEAD answer has no body to measure; CouchDB's length would be that of the GET, which we do not have.
  return head ? { chunked: false, length: null } : { chunked: false, length: body.length };
}

/** Status, headers and body of a planned response: the couch's answer, or the error that replaces it. */
export function plannedHead(
  job: ResponseJob,
  plan: ResponsePlan,
): { status: number; headers: OutgoingHttpHeaders; body: Buffer | undefined; chunked: boolean } {
  const head = job.request.method === 'HEAD';
  const replacement = plan.replaceWith;
  let body = replacement === undefined ? job.answer.body : replacementBody(replacement.status, replacement.bodyBytes);
  if (plan.padBodyTo !== undefined && body.length < plan.padBodyTo) {
    // Trailing whitespace: the same JSON, only past whatever a client reads into one buffer.
    body = Buffer.concat([body, Buffer.alloc(plan.padBodyTo - body.length, ' ')]);
  }
  let extra = job.answer.headers;
  if (replacement !== undefined) {
    extra = replacement.retryAfterS === undefined ? {} : { 'Retry-After': String(replacement.retryAfterS) };
  }
  // Trailers exist only in chunked framing: asking for them asks for chunked. A stray needs a length (its bytes come
  // after the body's end, in the same write); a short body announces its whole length and sends less.
  let chunked = (replacement === undefined && job.answer.chunked) || (plan.trailers === true && !head);
  if (plan.stray !== undefined || plan.malformed?.kind === 'short-body') chunked = false;
  // Chunked, so that a body broken off (a bad chunk, a stall) is never complete, even with every body byte sent.
  if ((plan.malformed?.kind === 'bad-chunk-size' || plan.stallAtByte !== undefined) && !head) chunked = true;
  const headers = responseHeaders(job.entry.record.requestId, extra, framing(chunked, head, body));
  if (plan.trailers === true && chunked) headers.Trailer = TRAILER_NAME;
  if (plan.connectionClose === true) {
    headers.Connection = 'close';
    // node destroys a socket once a `Connection: close` response is written, so a request wrongly written after it
    // would never be read: half-close and linger instead, so that request is recorded (see closeAndLinger).
    const socket = job.connection.tls;
    if (socket !== undefined) socket.destroySoon = () => job.connections.closeAndLinger(job.connection);
  } else if (plan.keepAliveMax !== undefined) {
    announceKeepAliveMax(headers, plan.keepAliveMax);
  } else if (job.connection.keepAliveLeft !== undefined) {
    announceKeepAliveMax(headers, job.connection.keepAliveLeft - 1);
  } else if (plan.keepAliveHintS !== undefined) {
    // Setting Connection ourselves stops node adding its own `Keep-Alive: timeout=5`.
    headers.Connection = 'keep-alive';
    headers['Keep-Alive'] = `timeout=${plan.keepAliveHintS}`;
  }
  return { status: replacement?.status ?? job.answer.status, headers, body: head ? undefined : body, chunked };
}
