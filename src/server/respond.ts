import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { CouchResponse } from './couch/types.js';
import type { Connection, ConnectionTable } from './connections.js';
import type { RequestEntry } from './recorder.js';
import type { ResponsePlan } from './response-plan.js';
import { responseHeaders } from './response-head.js';
import { framing, plannedHead, TRAILER_NAME } from './planned-head.js';
import {
  announceKeepAliveMax,
  BAD_CHUNK,
  closeAtKeepAliveMax,
  closeNow,
  faultDetail,
  garbageBytes,
  STRAY_TAIL_BYTES,
  strayBytes,
} from './answer-faults.js';

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

function writePlain(job: ResponseJob): void {
  const { answer, entry, response } = job;
  const record = entry.record;
  const head = job.request.method === 'HEAD';
  record.status = answer.status;
  record.firstByteAt = performance.now();
  const headers = responseHeaders(record.requestId, answer.headers, framing(answer.chunked, head, answer.body));
  // Under an earlier `Keep-Alive: max=` hint, every response counts it down (see countKeepAlive).
  if (job.connection.keepAliveLeft !== undefined) announceKeepAliveMax(headers, job.connection.keepAliveLeft - 1);
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
  const { entry, response, connection, connections } = job;
  const record = entry.record;
  if (plan.resetBeforeAnswer === true) {
    reset(job, faultDetail(plan, 'reset-before-answer'));
    return;
  }
  if (plan.closeBeforeAnswer === true) {
    closeNow(connections, connection, faultDetail(plan, 'empty-response'));
    return;
  }
  // A 100 is sent on arrival, if at all: a client that asked for it withholds its body until it sees it.
  for (const code of plan.interim ?? []) if (code === 103) response.writeEarlyHints(EARLY_HINTS);
  if (plan.headerDelayMs !== undefined) {
    const slow = plan.headerDelayMs > 0 ? plan.slowHead : undefined;
    slow?.sleeping();
    const slept = await pause(plan.headerDelayMs, closed);
    const placed = slow?.woke(!slept);
    if (!slept) return;
    if (placed !== undefined && !(await take(() => placed, closed))) return;
  }
  if (plan.silenceMs !== undefined && plan.stallAtByte === undefined) {
    // No response at all: silent for longer than the client's timeout, then the server gives up and closes.
    if (await pause(plan.silenceMs, closed)) closeNow(connections, connection, faultDetail(plan, 'no-response'));
    return;
  }
  if (plan.turn !== undefined && !(await take(plan.turn, closed))) return;
  if (plan.malformed?.kind === 'garbage') {
    record.firstByteAt = performance.now();
    connection.tls?.write(garbageBytes(record.requestId, plan.malformed.bytes));
    closeNow(connections, connection, faultDetail(plan, 'garbage-then-close'));
    return;
  }

  const { status, headers, body, chunked } = plannedHead(job, plan);
  record.status = status;
  entry.body = body;
  response.once('finish', () => afterResponse(job, plan));
  record.firstByteAt = performance.now();
  response.writeHead(status, headers);

  const bodyLength = body?.length ?? 0;
  // How much of the body goes out: all of it, unless a reset or a short body (its last bytes never sent) cuts it.
  const short = plan.malformed?.kind === 'short-body' ? Math.max(0, bodyLength - plan.malformed.missing) : bodyLength;
  const cut = plan.resetAtByte === undefined ? short : Math.min(plan.resetAtByte, short);
  if (plan.bodyDelayMs !== undefined || cut === 0) response.flushHeaders();
  if (plan.bodyDelayMs !== undefined && !(await pause(plan.bodyDelayMs, closed))) return;
  if (plan.bodyDelayMs !== undefined && plan.turn !== undefined && !(await take(plan.turn, closed))) return;

  // Where the body stops being a response: a stall, a bad chunk-size line. At least the head goes out first.
  const brokenAt = bodyBreak(plan, cut);
  // Where the engine pauses the body for a caller's abort: after at least the head, before the last byte.
  const midBodyAt = plan.midBody === undefined ? undefined : Math.max(0, Math.min(plan.midBody.atByte, cut - 1));
  const cuts = new Set([...(plan.splitAt ?? []).filter((at) => at > 0 && at < cut), cut]);
  if (midBodyAt !== undefined) cuts.add(midBodyAt);
  if (brokenAt !== undefined) cuts.add(brokenAt);
  // A stray response goes out in the same write as the last piece, which is kept small enough for one TLS record.
  const stray = plan.stray !== undefined && body !== undefined ? strayBytes(plan.stray, record.requestId, status, body) : undefined;
  if (stray !== undefined && cut > STRAY_TAIL_BYTES) cuts.add(cut - STRAY_TAIL_BYTES);
  const offsets = [...cuts].filter((at) => brokenAt === undefined || at <= brokenAt).sort((a, b) => a - b);
  let from = 0;
  for (let index = 0; index < offsets.length; index += 1) {
    const to = offsets[index]!;
    const last = index === offsets.length - 1;
    if (last && stray !== undefined && brokenAt === undefined) {
      record.bytes += to - from;
      response.end(Buffer.concat([body!.subarray(from, to), stray]));
      return;
    }
    if (body !== undefined && to > from) {
      response.write(body.subarray(from, to));
      record.bytes += to - from;
      from = to;
    }
    if (to === brokenAt) {
      await breakBody(job, plan, closed);
      return;
    }
    if (to === midBodyAt) {
      if (to === 0) response.flushHeaders();
      await untilClosed(plan.midBody!.gate(), closed);
      if (closed.aborted || response.destroyed) return;
    } else if (!last && plan.turn === undefined && plan.dripMs !== undefined && plan.dripMs > 0) {
      if (!(await pause(plan.dripMs, closed))) return;
    }
    if (!last && plan.turn !== undefined && !(await take(plan.turn, closed))) return;
  }
  if (plan.resetAtByte !== undefined) {
    reset(job, 'fault:reset-mid-body');
    return;
  }
  if (plan.malformed?.kind === 'short-body') {
    // Fewer bytes than the Content-Length announced, then the FIN: the body is cut short.
    closeNow(connections, connection, faultDetail(plan, 'short-body'));
    return;
  }
  if (plan.trailers === true && chunked) response.addTrailers({ [TRAILER_NAME]: record.requestId });
  response.end();
}

/** The body offset after which the answer stops being a response (a stall, a bad chunk), if the plan breaks it. */
function bodyBreak(plan: ResponsePlan, cut: number): number | undefined {
  const at = plan.stallAtByte ?? (plan.malformed?.kind === 'bad-chunk-size' ? plan.malformed.atByte : undefined);
  return at === undefined ? undefined : Math.max(0, Math.min(at, cut));
}

/** What a broken body does after its last good byte: falls silent (then closes), or sends a bad chunk-size line. */
async function breakBody(job: ResponseJob, plan: ResponsePlan, closed: AbortSignal): Promise<void> {
  const { connection, connections, response } = job;
  response.flushHeaders();
  if (plan.malformed?.kind === 'bad-chunk-size') {
    connection.tls?.write(BAD_CHUNK);
    closeNow(connections, connection, faultDetail(plan, 'bad-chunk-size'));
    return;
  }
  // A stalled body: not a byte more, no close, for longer than the client's timeout; then the server gives up.
  if (await pause(plan.silenceMs ?? 0, closed)) closeNow(connections, connection, faultDetail(plan, 'stalled-body'));
}

/** What the plan does to the socket once the response is on it. */
function afterResponse(job: ResponseJob, plan: ResponsePlan): void {
  const { connection, connections } = job;
  if (plan.connectionClose === true) connections.ended(connection, 'server-close', 'fault:connection-close');
  if (plan.finAfter === true) {
    connections.ended(connection, 'server-close', 'fault:fin-after');
    connection.tls?.end();
  }
  if (plan.keepAliveMax !== undefined) {
    connection.keepAliveLeft = plan.keepAliveMax;
    if (plan.keepAliveMax <= 0) closeAtKeepAliveMax(connections, connection);
  }
  if (plan.idleCloseMs !== undefined) connections.closeWhenIdle(connection, plan.idleCloseMs, faultDetail(plan, 'idle-close'));
}

/** The fault's reset: the request is marked reset now, the socket shortly (see ConnectionTable.reset). */
function reset(job: ResponseJob, detail: string): void {
  job.entry.record.outcome = 'reset';
  job.connections.reset(job.connection, detail);
}

/** Sleep unless the socket closes first; false when it closed (there is nothing left to write to). */
async function pause(ms: number, closed: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !closed.aborted;
  try {
    await delay(ms, undefined, { signal: closed });
    return true;
  } catch {
    return false;
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
