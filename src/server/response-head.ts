import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';

/** What CouchDB 3.4.2 on OTP 25 announces; clients that sniff the version see a current server. */
export const SERVER_HEADER = 'CouchDB/3.4.2 (Erlang OTP/25)';

/** How the body is framed on the wire. */
export type Framing = { chunked: true } | { chunked: false; length: number } | { chunked: false; length: null };

/**
 * The headers of one response: the five every CouchDB response carries, then the handler's own (which win on a
 * clash, except the request id), then the framing. Names keep CouchDB's casing; a lower-cased duplicate from the
 * handler replaces the standard one instead of producing a second header.
 */
export function responseHeaders(
  requestId: string,
  extra: Readonly<Record<string, string | string[]>>,
  framing: Framing,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    Server: SERVER_HEADER,
    'X-Couch-Request-ID': requestId,
    'X-CouchDB-Body-Time': '0',
    'Cache-Control': 'must-revalidate',
    'Content-Type': 'application/json',
  };
  for (const name in extra) {
    const value = extra[name];
    if (value === undefined) continue;
    switch (name.toLowerCase()) {
      case 'server':
        headers.Server = value;
        break;
      case 'x-couch-request-id':
        break;
      case 'x-couchdb-body-time':
        headers['X-CouchDB-Body-Time'] = value;
        break;
      case 'cache-control':
        headers['Cache-Control'] = value;
        break;
      case 'content-type':
        headers['Content-Type'] = value;
        break;
      // The transport owns the framing: a handler's value would contradict what is written.
      case 'content-length':
      case 'transfer-encoding':
        break;
      default:
        headers[name] = value;
    }
  }
  if (framing.chunked) headers['Transfer-Encoding'] = 'chunked';
  else if (framing.length !== null) headers['Content-Length'] = framing.length;
  return headers;
}

/**
 * A complete response written straight to a socket, for the cases where node's HTTP machinery has no response
 * object (the parser rejected the request). Always `Connection: close`: after a parse error the byte stream cannot
 * be trusted to resynchronise.
 */
export function rawErrorResponse(status: number, requestId: string, body: Buffer): Buffer {
  const headers = responseHeaders(requestId, {}, { chunked: false, length: body.length });
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n`;
  for (const name in headers) head += `${name}: ${String(headers[name])}\r\n`;
  head += `Date: ${new Date().toUTCString()}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
