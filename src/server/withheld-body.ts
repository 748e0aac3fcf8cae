import type { IncomingMessage } from 'node:http';
import type { RequestRecord } from '../history/records.js';
import { FAULT } from '../scenario/fault-names.js';
import { identifyRequest, unreadRequestRecord } from './client-error.js';
import type { Connection, ConnectionTable } from './connections.js';
import type { HistoryRecorder, RequestEntry } from './recorder.js';
import { isEchoableRequestId, type RequestIdGenerator } from './request-id.js';

/** A request line, as no JSON body ever starts: the body the server waited for is another request. */
const REQUEST_LINE = /^[A-Z]{3,7} \//;
/** Enough of what follows to find the swallowed request's head. */
const KEPT_BYTES = 16 * 1024;

export interface WithheldContext {
  readonly connections: ConnectionTable;
  readonly recorder: HistoryRecorder;
  readonly ids: RequestIdGenerator;
}

/**
 * The server answered a request that asked for `Expect: 100-continue` without a 100 and kept the connection: it now
 * reads the declared body, as any HTTP/1.1 server must (golang/go #11549 shows one doing it). A client that skipped
 * its body and reused the socket has its next request read as that body: that request is recorded here, on this
 * socket, with the `read-as-body` fault, and the socket — out of step for good — is closed. When the body only held
 * the start of that request, node's parser meets the rest as a malformed request, and `handleClientError` records it
 * with the same fault (see `readAsBodyOf`).
 */
export function watchWithheldBody(
  context: WithheldContext,
  connection: Connection,
  request: IncomingMessage,
  of: RequestEntry,
): void {
  let seen = Buffer.alloc(0);
  const look = (): void => {
    const text = seen.toString('latin1', 0, Math.min(seen.length, KEPT_BYTES));
    if (connection.readAsBodyOf === undefined) {
      if (!REQUEST_LINE.test(text)) return;
      connection.readAsBodyOf = { requestId: of.record.requestId, recorded: false };
    }
    if (connection.readAsBodyOf.recorded || !text.includes('\r\n\r\n')) return;
    connection.readAsBodyOf.recorded = true;
    recordReadAsBody(context, connection, seen);
    context.connections.ended(connection, 'server-close', `fault:${FAULT.readAsBody}`);
    connection.tls?.destroy();
  };
  request.on('data', (chunk: Buffer) => {
    if (seen.length < KEPT_BYTES) seen = Buffer.concat([seen, chunk]);
    if (seen.length >= 8) look();
  });
  request.once('end', look);
  request.on('error', () => undefined);
}

/** The request found inside another's withheld body, as the server would have recorded it had it been read as one. */
function recordReadAsBody(context: WithheldContext, connection: Connection, bytes: Buffer): void {
  // From the first byte: the swallowed request starts where the withheld body should have.
  const line = identifyRequest(bytes, 0);
  const echoed = line?.requestId !== undefined && isEchoableRequestId(line.requestId);
  const requestId = echoed ? line!.requestId! : context.ids.next();
  const record: RequestRecord = {
    ...unreadRequestRecord(connection, line, requestId, echoed, performance.now()),
    faults: [FAULT.readAsBody],
  };
  const entry: RequestEntry = { record, credentialHeader: undefined, body: undefined, finished: false };
  context.recorder.requestArrived(entry);
  context.recorder.requestFinished(entry);
}
