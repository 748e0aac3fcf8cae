import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import selfsigned from 'selfsigned';
import type { Credentials } from '../../../src/clients/contract.js';

/**
 * A few dozen lines of CouchDB for the client tests: TLS on 127.0.0.1 with a throwaway CA-capable self-signed
 * certificate, `_all_docs` (GET, POST, /queries) answered chunked with a body that differs per request, Basic auth,
 * X-Couch-Request-ID echoed, and every socket counted. Request ids steer misbehaviour:
 * `hang-*` is never answered, `cut-*` loses its connection part-way through the body, `stall-*` sends the headers
 * and 40 body bytes, then nothing more.
 */
export interface SeenRequest {
  requestId: string;
  method: string;
  path: string;
  query: string;
  authorization: string | null;
  contentEncoding: string | null;
  /** Who the Basic credentials named, null when missing or wrong. */
  identity: string | null;
  /** The request body after any gzip is undone. */
  body: string;
  status: number;
  responseBody: string;
  /** First 16 hex chars of sha256 over the response body, as the real mock records it. */
  bodyDigest: string;
}

export interface TinyCouch {
  origin: string;
  ca: string;
  users: Credentials[];
  requests: SeenRequest[];
  /** Every socket accepted, `performance.now()` times; `endedAt` null while open. */
  sockets: Array<{ acceptedAt: number; endedAt: number | null }>;
  openSockets(): number;
  close(): Promise<void>;
}

export const TINY_USERS: Credentials[] = [
  { username: 'alice', password: 'alice-secret' },
  { username: 'bob', password: 'bob:secret é' },
];

export function digest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 16);
}

export async function startTinyCouch(): Promise<TinyCouch> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      { name: 'basicConstraints', cA: true },
    ],
  });
  const requests: SeenRequest[] = [];
  const sockets: TinyCouch['sockets'] = [];
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, Buffer.concat(chunks), requests));
  });
  server.on('connection', (socket: Socket) => {
    const record = { acceptedAt: performance.now(), endedAt: null as number | null };
    sockets.push(record);
    socket.on('close', () => {
      record.endedAt = performance.now();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tiny-couch: no TCP address');
  return {
    origin: `https://127.0.0.1:${address.port}`,
    ca: pems.cert,
    users: TINY_USERS,
    requests,
    sockets,
    openSockets: () => sockets.filter((socket) => socket.endedAt === null).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(request: IncomingMessage, response: ServerResponse, raw: Buffer, seen: SeenRequest[]): void {
  const url = new URL(request.url ?? '/', 'https://tiny');
  const sent = request.headers['x-couch-request-id'];
  const requestId = typeof sent === 'string' && /^[A-Za-z0-9_-]{1,36}$/.test(sent) ? sent : randomBytes(5).toString('hex');
  const encoding = request.headers['content-encoding'] ?? null;
  const body = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  const identity = basicIdentity(request.headers.authorization);
  const route = /^\/([^/]+)\/_all_docs(\/queries)?$/.exec(url.pathname);
  let status = 200;
  let payload: string;
  if (identity === null) {
    status = 401;
    payload = '{"error":"unauthorized","reason":"Name or password is incorrect."}\n';
  } else if (route === null) {
    status = 404;
    payload = '{"error":"not_found","reason":"missing"}\n';
  } else if (route[1] === 'missing') {
    status = 404;
    payload = '{"error":"not_found","reason":"Database does not exist."}\n';
  } else {
    payload = rowsBody(requestId, request.method ?? '', url.search, body, identity);
    if (route[2] !== undefined) payload = `{"results":[${payload.trimEnd()}]}\n`;
  }
  seen.push({
    requestId,
    method: request.method ?? '',
    path: url.pathname,
    query: url.search.slice(1),
    authorization: request.headers.authorization ?? null,
    contentEncoding: encoding,
    identity,
    body,
    status,
    responseBody: payload,
    bodyDigest: digest(payload),
  });
  if (requestId.startsWith('hang-')) return;
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-couch-request-id': requestId,
    server: 'CouchDB/3.4.2 (Erlang OTP/26)',
  });
  writeChunked(response, payload, requestId.startsWith('cut-') ? 'cut' : requestId.startsWith('stall-') ? 'stall' : null);
}

/** A CouchDB-shaped body that names the request it answers, with a varying number of rows and some non-ASCII. */
export function rowsBody(requestId: string, method: string, search: string, body: string, identity: string): string {
  const count = 1 + (Number.parseInt(digest(requestId).slice(0, 2), 16) % 6);
  const rows = Array.from({ length: count }, (_, index) =>
    JSON.stringify({ id: `${requestId}-${index}`, key: `${requestId}-${index}`, value: { rev: `1-${index}é中😀` } }),
  );
  const echo = JSON.stringify({ requestId, method, search, body, identity });
  return `{"total_rows":${count},"offset":0,"echo":${echo},"rows":[\r\n${rows.join(',\r\n')}\r\n]}\n`;
}

/** Several writes a tick apart, as CouchDB streams rows, so concurrent responses interleave on the wire. */
function writeChunked(response: ServerResponse, payload: string, stop: 'cut' | 'stall' | null): void {
  const bytes = Buffer.from(payload, 'utf8');
  const first = Math.min(40, bytes.length);
  const second = Math.max(first, bytes.length >> 1);
  const pieces = [bytes.subarray(0, first), bytes.subarray(first, second), bytes.subarray(second)];
  const next = (index: number): void => {
    if (stop === 'stall' && index === 1) return;
    if (stop === 'cut' && index === 2) {
      response.socket?.destroy();
      return;
    }
    const piece = pieces[index];
    if (piece === undefined) {
      response.end();
      return;
    }
    if (piece.length > 0) response.write(piece);
    setImmediate(() => next(index + 1));
  };
  next(0);
}

function basicIdentity(header: string | undefined): string | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (match?.[1] === undefined) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = TINY_USERS.find((u) => u.username === decoded.slice(0, colon) && u.password === decoded.slice(colon + 1));
  return user?.username ?? null;
}
