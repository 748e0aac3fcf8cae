import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { CouchResponse } from './couch/types.js';
import type { Connection, ConnectionTable } from './connections.js';
import { replacementBody } from './error-body.js';
import type { RequestEntry } from './recorder.js';
import type { ResponsePlan } from './response-plan.js';
import { responseHeaders, type Framing } from './response-head.js';

/** Everything needed to write one response. */
export interface ResponseJob {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly connection: Connection;
  readonly connections: ConnectionTable;
  readonly entry: RequestEntry;
  readonly answer: CouchResponse;
  readonly plan: ResponsePlan | undefined;
}

/** A 103 needs a Link header; a preconnect to the server itself is the most harmless hint there is. */
const EARLY_HINTS = { link: '</>; rel=preconnect' };
/** Carries the request id, so a client that reads the trailer as the next response's head shows whose it was. */
const TRAILER_NAME = 'X-Crosstalk-Trailer';

/** Write the answer as the plan says. Without a plan: one writeHead, one end, no timer, no await. */
export function respond(job: ResponseJob): void {
  if (job.plan === undefined || isPlain(job.plan)) {
    try {
      writePlain(job);
    } catch (error) {
      failed(job, error);
    }
    return;
  }
  writePlanned(job, job.plan).catch((error: unknown) => failed(job, error));
}

/** A bug (say, a header value node refuses) must cost one socket, not the process. */
function failed(job: ResponseJob, error: unknown): void {
  process.emitWarning(`crosstalk: writing response ${job.entry.record.requestId} failed: ${String(error)}`);
  job.connections.ended(job.connection, 'error', 'server-bug');
  job.connection.raw.destroy();
}

/** A plan that only names faults (or nothing) changes nothing on the wire: it takes the fast path. */
function isPlain(plan: ResponsePlan): boolean {
  for (const key in plan) if (key !== 'faults' && plan[key as keyof ResponsePlan] !== undefined) return false;
  return true;
}

function framing(chunked: boolean, head: boolean, body: Buffer): Framing {
  if (chunked) return { chunked: true };
  // A HEAD answer has no body to measure; CouchDB's length would be that of the GET, which we do not have.
  return head ? { chunked: false, length: null } : { chunked: false, length: body.length };
}

function writePlain(job: ResponseJob): void {
  const { answer, entry, response } = job;
  const record = entry.record;
  const head = job.request.method === 'HEAD';
  record.status = answer.status;
  record.firstByteAt = performance.now();
  const headers = responseHeaders(record.requestId, answer.headers, framing(answer.chunked, head, answer.body));
  response.writeHead(answer.status, headers);
  if (head) {
    response.end();
    return;
  }
  entry.body = answer.body;
  record.bytes = answer.body.length;
  response.end(answer.body);
}

async function writePlanned(job: ResponseJob, plan: ResponsePlan): Promise<void> {
  const closed = job.connection.closed.signal;
  if (plan.gate !== undefined) await untilClosed(plan.gate(), closed);
  if (closed.aborted || job.response.destroyed) return;
  // From here the server owes writes on timers of its own: the engine must not take the quiet for a hang.
  const activity = job.connections.activity;
  activity.plannedInFlight += 1;
  try {
    await writeReleased(job, plan, closed);
  } finally {
    activity.plannedInFlight -= 1;
  }
}

/** The planned response once the engine has released it: faults, delays, pieces. */
async function writeReleased(job: ResponseJob, plan: ResponsePlan, closed: AbortSignal): Promise<void> {
  const { entry, response } = job;
  const record = entry.record;
  if (plan.resetBeforeAnswer === true) {
    reset(job, 'fault:reset-before-answer');
    return;
  }
  // A 100 is sent on arrival, if at all: a client that asked for it withholds its body until it sees it.
  for (const code of plan.interim ?? []) if (code === 103) response.writeEarlyHints(EARLY_HINTS);
  if (plan.headerDelayMs !== undefined && !(await pause(plan.headerDelayMs, closed, job))) return;
  if (plan.turn !== undefined && !(await take(plan.turn, closed))) return;

  const { status, headers, body, chunked } = plannedHead(job, plan);
  record.status = status;
  entry.body = body;
  response.once('finish', () => afterResponse(job, plan));
  record.firstByteAt = performance.now();
  response.writeHead(status, headers);

  const bodyLength = body?.length ?? 0;
  const cut = plan.resetAtByte === undefined ? bodyLength : Math.min(plan.resetAtByte, bodyLength);
  if (plan.bodyDelayMs !== undefined || cut === 0) response.flushHeaders();
  if (plan.bodyDelayMs !== undefined && !(await pause(plan.bodyDelayMs, closed, job))) return;
  if (plan.bodyDelayMs !== undefined && plan.turn !== undefined && !(await take(plan.turn, closed))) return;

  // Where the engine pauses the body for a caller's abort: after at least the head, before the last byte.
  const midBodyAt = plan.midBody === undefined ? undefined : Math.max(0, Math.min(plan.midBody.atByte, cut - 1));
  const cuts = new Set([...(plan.splitAt ?? []).filter((at) => at > 0 && at < cut), cut]);
  if (midBodyAt !== undefined) cuts.add(midBodyAt);
  const offsets = [...cuts].sort((a, b) => a - b);
  let from = 0;
  for (let index = 0; index < offsets.length; index += 1) {
    const to = offsets[index]!;
    if (body !== undefined && to > from) {
      response.write(body.subarray(from, to));
      record.bytes += to - from;
      from = to;
    }
    const last = index === offsets.length - 1;
    if (to === midBodyAt) {
      if (to === 0) response.flushHeaders();
      await untilClosed(plan.midBody!.gate(), closed);
      if (closed.aborted || response.destroyed) return;
    } else if (!last && plan.turn === undefined && plan.dripMs !== undefined && plan.dripMs > 0) {
      if (!(await pause(plan.dripMs, closed, job))) return;
    }
    if (!last && plan.turn !== undefined && !(await take(plan.turn, closed))) return;
  }
  if (plan.resetAtByte !== undefined) {
    reset(job, 'fault:reset-mid-body');
    return;
  }
  if (plan.trailers === true && chunked) response.addTrailers({ [TRAILER_NAME]: record.requestId });
  response.end();
}

/** Status, headers and body of a planned response: the couch's answer, or the error that replaces it. */
function plannedHead(
  job: ResponseJob,
  plan: ResponsePlan,
): { status: number; headers: OutgoingHttpHeaders; body: Buffer | undefined; chunked: boolean } {
  const head = job.request.method === 'HEAD';
  const replacement = plan.replaceWith;
  const body = replacement === undefined ? job.answer.body : replacementBody(replacement.status, replacement.bodyBytes);
  let extra = job.answer.headers;
  if (replacement !== undefined) {
    extra = replacement.retryAfterS === undefined ? {} : { 'Retry-After': String(replacement.retryAfterS) };
  }
  // Trailers exist only in chunked framing: asking for them asks for chunked.
  const chunked = (replacement === undefined && job.answer.chunked) || (plan.trailers === true && !head);
  const headers = responseHeaders(job.entry.record.requestId, extra, framing(chunked, head, body));
  if (plan.trailers === true && chunked) headers.Trailer = TRAILER_NAME;
  if (plan.connectionClose === true) {
    headers.Connection = 'close';
    // node destroys a socket once a `Connection: close` response is written, so a request wrongly written after it
    // would never be read: half-close and linger instead, so that request is recorded (see closeAndLinger).
    const socket = job.connection.tls;
    if (socket !== undefined) socket.destroySoon = () => job.connections.closeAndLinger(job.connection);
  }
  else if (plan.keepAliveHintS !== undefined) {
    // Setting Connection ourselves stops node adding its own `Keep-Alive: timeout=5`.
    headers.Connection = 'keep-alive';
    headers['Keep-Alive'] = `timeout=${plan.keepAliveHintS}`;
  }
  return { status: replacement?.status ?? job.answer.status, headers, body: head ? undefined : body, chunked };
}

/** What the plan does to the socket once the response is on it. */
function afterResponse(job: ResponseJob, plan: ResponsePlan): void {
  const { connection, connections } = job;
  if (plan.connectionClose === true) connections.ended(connection, 'server-close', 'fault:connection-close');
  if (plan.finAfter === true) {
    connections.ended(connection, 'server-close', 'fault:fin-after');
    connection.tls?.end();
  }
  if (plan.idleCloseMs !== undefined) connections.closeWhenIdle(connection, plan.idleCloseMs);
}

/** The fault's reset: the request is marked reset now, the socket shortly (see ConnectionTable.reset). */
function reset(job: ResponseJob, detail: string): void {
  job.entry.record.outcome = 'reset';
  job.connections.reset(job.connection, detail);
}

/** Sleep unless the socket closes first; false when it closed (there is nothing left to write to). */
/**
 * A planned wait on the wall clock. Counted while it lasts: the connection it holds can bring the gate no new
 * request until it is over, so the gate need not wait for one.
 */
async function pause(ms: number, closed: AbortSignal, job: ResponseJob): Promise<boolean> {
  if (ms <= 0) return !closed.aborted;
  const activity = job.connections.activity;
  activity.pausedInFlight += 1;
  try {
    await delay(ms, undefined, { signal: closed });
    return true;
  } catch {
    return false;
  } finally {
    activity.pausedInFlight -= 1;
  }
}

/** Wait for the engine's turn to write; false when the socket closed meanwhile. */
async function take(turn: () => Promise<void>, closed: AbortSignal): Promise<boolean> {
  await untilClosed(turn(), closed);
  return !closed.aborted;
}

/** Wait for the gate, or for the socket to close: a gate the engine never opens must not pin a dead response. */
function untilClosed(gate: Promise<void>, closed: AbortSignal): Promise<void> {
  if (closed.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      closed.removeEventListener('abort', done);
      resolve();
    };
    closed.addEventListener('abort', done, { once: true });
    gate.then(done, done);
  });
}
