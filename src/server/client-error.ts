import type { Socket } from 'node:net';
import type { RequestRecord } from '../history/records.js';
import { FAULT } from '../scenario/fault-names.js';
import type { Connection, ConnectionTable } from './connections.js';
import { couchErrorBody } from './error-body.js';
import type { HistoryRecorder, RequestEntry } from './recorder.js';
import { isEchoableRequestId, type RequestIdGenerator } from './request-id.js';
import { rawErrorResponse } from './response-head.js';

/** What node attaches to an HTTP parse error. */
export type ParseError = Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number };

interface Rejection {
  status: number;
  error: string;
  reason: string;
}

function rejectionFor(code: string): Rejection {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, error: 'bad_request', reason: 'Request header fields too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: 'request_timeout', reason: 'The request took too long to arrive' };
    default:
      return { status: 400, error: 'bad_request', reason: `Malformed request (${code})` };
  }
}

interface RequestLine {
  method: string;
  path: string;
  query: string;
  requestId: string | undefined;
}

/**
 * The request line and request id of the message that failed, when the bytes show one. The failing message starts
 * after the last complete head before the point where parsing stopped (earlier ones were answered already).
 */
export function identifyRequest(
  rawPacket: Buffer | undefined,
  bytesParsed: number | undefined,
): RequestLine | undefined {
  if (rawPacket === undefined || rawPacket.length === 0) return undefined;
  const text = rawPacket.toString('latin1', 0, Math.min(rawPacket.length, 16_384));
  const stop = Math.min(bytesParsed ?? text.length, text.length);
  const previousEnd = text.lastIndexOf('\r\n\r\n', Math.max(0, stop - 4));
  const start = previousEnd >= 0 && previousEnd + 4 < stop ? previousEnd + 4 : 0;
  const message = text.slice(start);
  const match = /^([A-Za-z]{1,20}) (\S+) HTTP\/\d\.\d\r?\n/.exec(message);
  if (match === null) return undefined;
  const target = match[2]!;
  const queryAt = target.indexOf('?');
  const id = /\r?\nx-couch-request-id:[ \t]*([^\r\n]*?)[ \t]*\r?\n/i.exec(message)?.[1];
  return {
    method: match[1]!,
    path: queryAt < 0 ? target : target.slice(0, queryAt),
    query: queryAt < 0 ? '' : target.slice(queryAt + 1),
    requestId: id,
  };
}

/**
 * The record of a request the server rejected or never read as one: counted on its socket, identified as far as its
 * request line allows, no credentials, no response yet (callers fill in what they answered).
 */
export function unreadRequestRecord(
  connection: Connection,
  line: RequestLine | null | undefined,
  requestId: string,
  echoed: boolean,
  at: number,
): RequestRecord {
  connection.record.requestCount += 1;
  return {
    requestId,
    requestIdEchoed: echoed,
    socketId: connection.record.socketId,
    seq: connection.record.requestCount,
    method: line?.method ?? '',
    path: line?.path ?? '',
    query: line?.query ?? '',
    identity: null,
    tenant: null,
    credential: null,
    arrivedAt: at,
    firstByteAt: null,
    lastByteAt: null,
    status: 0,
    bytes: 0,
    bodyDigest: null,
    faults: [],
    outcome: 'rejected',
  };
}

/**
 * node's `clientError`: a request the parser rejected (answered with a CouchDB-shaped 400/408/431 and a close), or
 * a socket failure surfacing through the HTTP layer (recorded on the socket). Never touches another socket.
 */
export function handleClientError(
  connections: ConnectionTable,
  recorder: HistoryRecorder,
  ids: RequestIdGenerator,
  error: ParseError,
  socket: Socket,
): void {
  const connection = connections.of(socket);
  // https forwards every tlsClientError here too; a handshake failure is the tlsClientError handler's to record.
  if (connection !== undefined && connection.tls === undefined) return;
  const code = error.code ?? 'UNKNOWN';
  if (connection === undefined || !(code.startsWith('HPE_') || code === 'ERR_HTTP_REQUEST_TIMEOUT')) {
    if (connection !== undefined) connections.failed(connection, error);
    socket.destroy();
    return;
  }
  // The rest of a request read as another's withheld body (see withheld-body.ts): recorded once, as that.
  const readAsBody = connection.readAsBodyOf;
  if (readAsBody?.recorded === true) {
    socket.destroy();
    return;
  }
  if (readAsBody !== undefined) readAsBody.recorded = true;
  const rejection = rejectionFor(code);
  const line = identifyRequest(error.rawPacket, error.bytesParsed);
  const echoed = line?.requestId !== undefined && isEchoableRequestId(line.requestId);
  const requestId = echoed && line?.requestId !== undefined ? line.requestId : ids.next();
  // Mid-response on this socket (pipelining) a raw answer would interleave with the one being written.
  const canAnswer = socket.writable && connection.pending.length === 0;
  const body = couchErrorBody(rejection.error, rejection.reason);
  const now = performance.now();
  const record: RequestRecord = {
    ...unreadRequestRecord(connection, line, requestId, echoed, now),
    firstByteAt: canAnswer ? now : null,
    lastByteAt: canAnswer ? now : null,
    status: canAnswer ? rejection.status : 0,
    bytes: canAnswer ? body.length : 0,
    faults: readAsBody === undefined ? [] : [FAULT.readAsBody],
  };
  const entry: RequestEntry = {
    record,
    credentialHeader: undefined,
    body: canAnswer ? body : undefined,
    finished: false,
  };
  recorder.requestArrived(entry);
  recorder.requestFinished(entry);
  connections.ended(connection, 'server-close', `bad-request:${code}`);
  if (canAnswer) {
    socket.write(rawErrorResponse(rejection.status, requestId, body));
    socket.destroySoon();
  } else socket.destroy();
}
