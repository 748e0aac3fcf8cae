import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestRecord } from '../history/records.js';
import { declaredBody, decodeBody, readBody } from './body-reader.js';
import type { Connection, ConnectionTable } from './connections.js';
import type { Couch, CouchResponse } from './couch/types.js';
import { transportError } from './error-body.js';
import type { HistoryRecorder, RequestEntry } from './recorder.js';
import { isEchoableRequestId, type RequestIdGenerator } from './request-id.js';
import type { PlanSource, ResponsePlan } from './response-plan.js';
import { respond } from './respond.js';
import { countKeepAlive } from './answer-faults.js';
import { AttemptCounter, effectivePlan } from './effective-plan.js';
import { watchWithheldBody } from './withheld-body.js';

/** What the per-request path needs from the server; `plans` changes between runs. */
export interface RequestContext {
  readonly couch: Couch;
  readonly recorder: HistoryRecorder;
  readonly connections: ConnectionTable;
  readonly ids: RequestIdGenerator;
  readonly maxBodyBytes: number;
  plans: PlanSource | undefined;
  /** Attempts per request id, for plans that fail the first few (made on first use). */
  attempts?: AttemptCounter;
}

/** How the request's `Expect` header was met: none, `100-continue`, or a value node does not know. */
export type Expectation = 'none' | 'continue' | 'unsupported';

const EMPTY = Buffer.alloc(0);

/** One request, from arrival (headers parsed) to handing the answer to the writer. */
export function handleRequest(
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
  expectation: Expectation,
): void {
  const arrivedAt = performance.now();
  const connection = context.connections.of(request.socket);
  if (connection === undefined) {
    // Every socket is accepted before it can carry a request; this would be a harness bug.
    response.destroy();
    return;
  }
  context.connections.cancelIdleClose(connection);
  const entry = arrive(context, connection, request, arrivedAt);
  const record = entry.record;
  context.connections.activity.touch();
  // 'finish' waits for the socket's write callback, an event-loop turn or more after the last byte went to the
  // transport: time enough for a client in another process to read the reply and write its next request on the
  // socket, which would then look pipelined. The last byte's time is when the response was ended.
  let endedAt: number | null = null;
  const end = response.end;
  response.end = function (this: ServerResponse, ...args: unknown[]) {
    endedAt ??= performance.now();
    return (end as (...rest: unknown[]) => ServerResponse).apply(this, args);
  } as typeof response.end;
  response.once('finish', () => {
    context.connections.activity.touch();
    record.lastByteAt = endedAt ?? performance.now();
    if (record.outcome === 'closed-early') record.outcome = 'complete';
    // The client asked for `Connection: close` (or spoke HTTP/1.0): node closes after this response.
    if (!response.shouldKeepAlive) context.connections.ended(connection, 'server-close', 'request-close');
    else countKeepAlive(context.connections, connection);
  });
  response.once('close', () => finishRequest(context, connection, entry));
  const declared = declaredBody(request);
  const arrival = { requestId: sentRequestId(request), hasBody: declared.kind !== 'none', expectsContinue: expectation === 'continue' };
  context.attempts ??= new AttemptCounter();
  const plan = effectivePlan(planFor(context, arrival.requestId, request), arrival, context.attempts);
  if (plan?.faults !== undefined) record.faults = [...plan.faults];
  const flight: Flight = { context, request, response, connection, entry, plan };

  if (expectation === 'unsupported') {
    answerWith(flight, transportError(417, 'expectation_failed', 'Expect header value not supported'));
    return;
  }
  if (declared.kind === 'length' && declared.bytes > context.maxBodyBytes) {
    refuseTooLarge(flight);
    return;
  }
  if (expectation === 'continue') {
    // A server that answers before reading the body sends no 100: the client must then send the body anyway or
    // close; a socket reused with the body unsent has its next request read as that body. Faults that replace or
    // drop the answer behave that way.
    const answersWithoutBody =
      plan?.replaceWith !== undefined || plan?.resetBeforeAnswer === true || plan?.closeBeforeAnswer === true;
    if (!answersWithoutBody || plan?.interim?.includes(100) === true) response.writeContinue();
    else {
      // node answers such a request with `Connection: close`, the safe choice; the fault keeps the connection, as
      // servers that then read the declared body do (golang/go #11549), so a client that skips it is exposed.
      if (plan?.expectFinal === true) (response as ServerResponse & { _expect_continue: boolean })._expect_continue = false;
      watchWithheldBody(context, connection, request, entry);
      answerFromCouch(flight, EMPTY);
      return;
    }
  }
  if (plan?.cutRequestBody !== undefined) {
    // The body is still on its way when the server gives up on it: none of it is read.
    request.pause();
    answerFromCouch(flight, EMPTY);
    return;
  }
  if (declared.kind === 'none') {
    answerFromCouch(flight, EMPTY);
    return;
  }
  readBody(request, context.maxBodyBytes, (body) =>
    body === null ? refuseTooLarge(flight) : answerFromCouch(flight, body),
  );
}

/** A request between arrival and its answer. */
interface Flight {
  readonly context: RequestContext;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly connection: Connection;
  readonly entry: RequestEntry;
  readonly plan: ResponsePlan | undefined;
}

function answerWith(flight: Flight, answer: CouchResponse): void {
  const { context, request, response, connection, entry, plan } = flight;
  respond({ request, response, connection, connections: context.connections, entry, answer, plan });
}

function answerFromCouch(flight: Flight, raw: Buffer): void {
  const { context, request, entry } = flight;
  const decoded = raw.length === 0 ? { body: raw } : decodeBody(raw, contentEncoding(request), context.maxBodyBytes);
  if (!('body' in decoded)) answerWith(flight, transportError(decoded.status, decoded.error, decoded.reason));
  else answerWith(flight, askCouch(context.couch, request, entry.record, decoded.body));
}

/** 413 and close, as CouchDB does: the rest of the upload is not worth reading. */
function refuseTooLarge(flight: Flight): void {
  const { context, connection, response } = flight;
  response.once('finish', () => context.connections.ended(connection, 'server-close', 'too-large'));
  const error = transportError(413, 'too_large', 'the request entity is too large');
  answerWith(flight, { ...error, headers: { Connection: 'close' } });
}

function contentEncoding(request: IncomingMessage): string | undefined {
  const value = request.headers['content-encoding'];
  return typeof value === 'string' ? value : undefined;
}

function sentRequestId(request: IncomingMessage): string | undefined {
  const sent = request.headers['x-couch-request-id'];
  return typeof sent === 'string' ? sent : undefined;
}

function arrive(
  context: RequestContext,
  connection: Connection,
  request: IncomingMessage,
  arrivedAt: number,
): RequestEntry {
  const sent = sentRequestId(request);
  const echoed = sent !== undefined && isEchoableRequestId(sent);
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  connection.record.requestCount += 1;
  const record: RequestRecord = {
    requestId: echoed ? sent : context.ids.next(),
    requestIdEchoed: echoed,
    socketId: connection.record.socketId,
    seq: connection.record.requestCount,
    method: request.method ?? '',
    path: queryAt < 0 ? url : url.slice(0, queryAt),
    query: queryAt < 0 ? '' : url.slice(queryAt + 1),
    identity: null,
    tenant: null,
    credential: null,
    arrivedAt,
    firstByteAt: null,
    lastByteAt: null,
    status: 0,
    bytes: 0,
    bodyDigest: null,
    faults: [],
    // Until the response finishes; 'finish' makes it complete, a reset fault makes it reset.
    outcome: 'closed-early',
  };
  const headers = request.headers;
  const entry: RequestEntry = {
    record,
    credentialHeader: headers.authorization ?? headers.cookie,
    body: undefined,
    finished: false,
  };
  connection.pending.push(entry);
  context.recorder.requestArrived(entry);
  return entry;
}

function planFor(
  context: RequestContext,
  requestId: string | undefined,
  request: IncomingMessage,
): ResponsePlan | undefined {
  if (context.plans === undefined) return undefined;
  try {
    return context.plans.planFor(requestId, request);
  } catch (error) {
    process.emitWarning(`crosstalk: planFor threw, answering plainly: ${String(error)}`);
    return undefined;
  }
}

function askCouch(couch: Couch, request: IncomingMessage, record: RequestRecord, body: Buffer): CouchResponse {
  let answer: CouchResponse;
  try {
    answer = couch.handle({
      method: record.method,
      path: record.path,
      query: record.query,
      headers: request.headers,
      body,
      now: Date.now(),
    });
  } catch (error) {
    // CouchDB answers its own crashes with a 500 and stays up; so do we.
    answer = transportError(500, 'unknown_error', String(error));
  }
  record.identity = answer.auth.user;
  record.tenant = answer.auth.tenant;
  return answer;
}

/** The response is done or can no longer be: hand the record over exactly once. */
export function finishRequest(context: RequestContext, connection: Connection, entry: RequestEntry): void {
  const pending = connection.pending;
  const index = pending.indexOf(entry);
  if (index >= 0) pending.splice(index, 1);
  context.recorder.requestFinished(entry);
}
