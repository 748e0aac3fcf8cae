import { createHash } from 'node:crypto';
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import { strayRequestId } from '../scenario/fault-names.js';
import type { Connection, ConnectionTable } from './connections.js';
import type { ResponsePlan } from './response-plan.js';
import { responseHeaders } from './response-head.js';

/**
 * The pieces of the answers that are not a response, or not only one: the close that replaces an answer, the bytes of
 * a malformed one, the stray response written after a complete one, and the Keep-Alive `max=` countdown.
 */

/** The `endDetail` of a socket the server closes for a plan: `fault:` and the plan's first fault name. */
export function faultDetail(plan: ResponsePlan, fallback: string): string {
  return `fault:${plan.faults?.[0] ?? fallback}`;
}

/** Close our side (FIN) now, keep reading for the linger time: a request written after it is still recorded. */
export function closeNow(connections: ConnectionTable, connection: Connection, detail: string): void {
  connections.ended(connection, 'server-close', detail);
  connections.closeAndLinger(connection);
}

/**
 * `count` bytes that are no HTTP at all, the same for the same request id on every replay; the first is never `H`, so
 * no parser can mistake them for a status line.
 */
export function garbageBytes(requestId: string, count: number): Buffer {
  const out = Buffer.alloc(count);
  let filled = 0;
  for (let block = 0; filled < count; block += 1) {
    const digest = createHash('sha256').update(`${requestId}:${block}`).digest();
    filled += digest.copy(out, filled);
  }
  if (count > 0 && out[0] === 0x48) out[0] = 0x00;
  return out;
}

/** What follows valid chunks in a `bad-chunk-size` answer: a chunk-size line that is not hexadecimal. */
export const BAD_CHUNK = Buffer.from('zz\r\nthis is not a chunk\r\n', 'latin1');

/** The final body piece of a response followed by a stray is kept this small, so both go out in one TLS record. */
export const STRAY_TAIL_BYTES = 512;

/** A whole HTTP/1.1 response as bytes: what a server out of step writes on its own. */
function rawResponse(status: number, headers: OutgoingHttpHeaders, body: Buffer): Buffer {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const name in headers) head += `${name}: ${String(headers[name])}\r\n`;
  head += '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * The bytes of a stray response after the response to `requestId`: for `duplicate`, that response again (same status,
 * id and body, so whoever reads it gets another caller's reply); for `unsolicited`, a 200 nobody asked for, with an id
 * and a body no request has.
 */
export function strayBytes(kind: 'duplicate' | 'unsolicited', requestId: string, status: number, body: Buffer): Buffer {
  if (kind === 'duplicate') {
    return rawResponse(status, responseHeaders(requestId, {}, { chunked: false, length: body.length }), body);
  }
  const id = strayRequestId(requestId);
  const stray = Buffer.from(JSON.stringify({ total_rows: 0, offset: 0, rows: [], stray: id }));
  return rawResponse(200, responseHeaders(id, {}, { chunked: false, length: stray.length }), stray);
}

/** How long the Keep-Alive hint says the server keeps an idle socket (the server's own timer is longer still). */
const KEEP_ALIVE_HINT_TIMEOUT_S = 5;

/** Adds `Keep-Alive: timeout=5, max=<left>` (and the `Connection: keep-alive` that stops node adding its own). */
export function announceKeepAliveMax(headers: OutgoingHttpHeaders, left: number): void {
  headers.Connection = 'keep-alive';
  headers['Keep-Alive'] = `timeout=${KEEP_ALIVE_HINT_TIMEOUT_S}, max=${Math.max(0, left)}`;
}

/**
 * A response on a socket under a `max=` hint has finished: one fewer is allowed. When none is left the server closes,
 * unannounced now: the hint said so in advance.
 */
export function countKeepAlive(connections: ConnectionTable, connection: Connection): void {
  if (connection.keepAliveLeft === undefined) return;
  connection.keepAliveLeft -= 1;
  if (connection.keepAliveLeft <= 0) closeAtKeepAliveMax(connections, connection);
}

/** The `max=` the server announced is used up: FIN, recorded as the keep-alive-max fault. */
export function closeAtKeepAliveMax(connections: ConnectionTable, connection: Connection): void {
  connection.keepAliveLeft = undefined;
  connections.ended(connection, 'server-close', 'fault:keep-alive-max');
  connection.tls?.end();
}
