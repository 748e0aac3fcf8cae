import fc from 'fast-check';
import { Pool } from 'undici';
import type { SocketRecord } from '../../../src/history/records.js';
import { startMockServer, type MockServer } from '../../../src/server/index.js';
import { parseHead, rawExchange, rawRequest, type RawExchange } from './raw-tls.js';

/**
 * Malformed input and the well-formed traffic sent alongside it: the generators and the judgement, shared by the
 * property in `npm test` (30 rounds) and the fuzz soak in `npm run soak` (10⁵ inputs). Judgements are data (a list
 * of problems, empty when all is well) so a test asserts on them and a soak counts them.
 */
export type BadInput =
  | { kind: 'bad-line' | 'bad-header' | 'tls-garbage'; bytes: Buffer }
  | { kind: 'invalid-json' | 'wrong-method' | 'unknown-path'; bytes: Buffer; status: number }
  | { kind: 'big-header' | 'big-body'; bytes: Buffer; status: number }
  | { kind: 'tcp-garbage'; bytes: Buffer };

export interface FuzzTarget {
  server: MockServer;
  /** A shared pool for the well-formed requests (a couple of connections). */
  pool: Pool;
  authorization: string;
  db: string;
  /** The server's `maxBodyBytes`. */
  maxBodyBytes: number;
  /** First body seen for each `limit`: every later answer must be the same bytes. */
  expected: Map<number, string>;
  /** Numbers the well-formed requests. */
  nextGood: number;
}

/** A mock server taking bodies up to `maxBodyBytes`, and a 2-connection pool acting for a tenant of `db`. */
export async function startFuzzTarget(db: string, maxBodyBytes: number): Promise<FuzzTarget> {
  const server = await startMockServer({ maxBodyBytes });
  const user = server.couch.accounts().find((account) => account.databases.includes(db))!.users[0]!;
  return {
    server,
    pool: new Pool(server.origin, { connections: 2, connect: { ca: server.ca } }),
    authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`,
    db,
    maxBodyBytes,
    expected: new Map(),
    nextGood: 0,
  };
}

export async function stopFuzzTarget(target: FuzzTarget): Promise<void> {
  await target.pool.close();
  await target.server.close();
}

const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_/?=&%.:;\t'.split('')), maxLength: 20 });
const requestTail = `\r\nhost: 127.0.0.1\r\n\r\n`;
const BAD_METHODS = ['G@T', 'GET\x00', '', '{}', 'GET /', 'PO ST'];
const BAD_VERSIONS = ['HTTP/1.1', 'HTTP/9', 'HTTX/1.1', ''];
const BAD_HEADERS = [
  'no colon here',
  'bad name: x',
  'x-ok: a\x00b',
  'content-length: abc',
  'content-length: 1\r\ncontent-length: 2',
  'transfer-encoding: chunked\r\ncontent-length: 3',
];

function raw(method: string, path: string, options: Parameters<typeof rawRequest>[3] = {}): Buffer {
  return Buffer.from(rawRequest(method, path, `bad-${method.toLowerCase()}`, options));
}

/** One malformed request or byte stream: bad request lines and headers, bad JSON, oversize, TLS and TCP garbage. */
export function badInputArbitrary(target: Pick<FuzzTarget, 'authorization' | 'db' | 'maxBodyBytes'>): fc.Arbitrary<BadInput> {
  const { authorization, db, maxBodyBytes } = target;
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...BAD_METHODS), printable, fc.constantFrom(...BAD_VERSIONS))
      .map(([method, path, version]) => ({
        kind: 'bad-line' as const,
        bytes: Buffer.from(`${method} /${path} ${version}${requestTail}`),
      })),
    fc.constantFrom(...BAD_HEADERS).map((header) => ({
      kind: 'bad-header' as const,
      bytes: Buffer.from(`GET /${db}/_all_docs HTTP/1.1\r\nhost: x\r\n${header}\r\n\r\n`),
    })),
    printable.map((junk) => ({
      kind: 'invalid-json' as const,
      status: 400,
      bytes: raw('POST', `/${db}/_all_docs`, {
        headers: { authorization, 'content-type': 'application/json' },
        body: `{${junk}`,
      }),
    })),
    fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS').map((method) => ({
      kind: 'wrong-method' as const,
      status: 405,
      bytes: raw(method, `/${db}/_all_docs`, { headers: { authorization } }),
    })),
    fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/).map((name) => ({
      kind: 'unknown-path' as const,
      status: 404,
      bytes: raw('GET', `/no-such-db-${name}/_all_docs`, { headers: { authorization } }),
    })),
    fc.integer({ min: 17_000, max: 40_000 }).map((size) => ({
      kind: 'big-header' as const,
      status: 431,
      bytes: raw('GET', '/', { headers: { 'x-pad': 'p'.repeat(size) } }),
    })),
    fc.integer({ min: maxBodyBytes + 1, max: maxBodyBytes * 2 }).map((size) => ({
      kind: 'big-body' as const,
      status: 413,
      bytes: raw('POST', `/${db}/_all_docs`, { headers: { 'content-type': 'application/json' }, body: ' '.repeat(size) }),
    })),
    fc.uint8Array({ minLength: 1, maxLength: 2_048 }).map((bytes) => ({ kind: 'tls-garbage' as const, bytes: Buffer.from(bytes) })),
    fc.uint8Array({ minLength: 1, maxLength: 2_048 }).map((bytes) => ({ kind: 'tcp-garbage' as const, bytes: Buffer.from(bytes) })),
  );
}

/** A round: a few malformed inputs at once (the well-formed requests go alongside them). */
export function badRoundArbitrary(target: Pick<FuzzTarget, 'authorization' | 'db' | 'maxBodyBytes'>): fc.Arbitrary<BadInput[]> {
  return fc.array(badInputArbitrary(target), { minLength: 1, maxLength: 4 });
}

function send(server: MockServer, input: BadInput): Promise<RawExchange> {
  const options = { endAfterWrite: true, timeoutMs: 5_000, stopWhenComplete: false };
  return rawExchange(server.port, input.bytes, input.kind === 'tcp-garbage' ? options : { ...options, ca: server.ca });
}

/** What came back is a CouchDB-shaped error with the expected status, or nothing but a closed connection. */
export function judgeAnswer(input: BadInput, exchange: RawExchange): string[] {
  if (exchange.ending === 'timeout') return [`${input.kind}: no answer and no close within 5 s`];
  if (input.kind === 'tcp-garbage') return exchange.text.startsWith('HTTP/') ? [`${input.kind}: HTTP over a failed handshake`] : [];
  if (exchange.text === '') {
    // Only inputs the server may refuse mid-upload can end without an answer.
    const silent = ['big-header', 'big-body', 'bad-line', 'bad-header', 'tls-garbage'];
    return silent.includes(input.kind) ? [] : [`${input.kind}: the connection closed without an answer`];
  }
  const { status, headers, rest } = parseHead(exchange.text);
  const problems: string[] = [];
  if ('status' in input && status !== input.status) problems.push(`${input.kind}: status ${status}, expected ${input.status}`);
  if (!('status' in input) && !(status >= 400)) problems.push(`${input.kind}: status ${status}, expected an error`);
  if (!/^CouchDB\//.test(headers.get('server') ?? '')) problems.push(`${input.kind}: Server header ${headers.get('server')}`);
  try {
    const keys = Object.keys(JSON.parse(rest) as object).join(',');
    if (keys !== 'error,reason') problems.push(`${input.kind}: error body keys ${keys}`);
  } catch {
    problems.push(`${input.kind}: the error body is not JSON: ${JSON.stringify(rest.slice(0, 80))}`);
  }
  return problems;
}

/** One well-formed request through the shared pool: answered 200, its own request id, the same bytes every time. */
export async function wellFormed(target: FuzzTarget): Promise<string[]> {
  const index = target.nextGood++;
  const limit = (index % 4) + 1;
  const requestId = `good-${index}`;
  try {
    const response = await target.pool.request({
      path: `/${target.db}/_all_docs?limit=${limit}`,
      method: 'GET',
      headers: { authorization: target.authorization, 'x-couch-request-id': requestId },
    });
    const body = await response.body.text();
    const problems: string[] = [];
    if (response.statusCode !== 200) problems.push(`${requestId}: status ${response.statusCode}`);
    if (response.headers['x-couch-request-id'] !== requestId) problems.push(`${requestId}: answered as ${String(response.headers['x-couch-request-id'])}`);
    if (!target.expected.has(limit)) target.expected.set(limit, body);
    if (body !== target.expected.get(limit)) problems.push(`${requestId}: a different body for limit=${limit}`);
    return problems;
  } catch (error) {
    return [`${requestId}: ${(error as Error).message}`];
  }
}

/** The server's records of these client ports, once every one has ended (or 3 s have passed). */
async function recordedSockets(server: MockServer, mark: ReturnType<MockServer['recorder']['mark']>, ports: number[]): Promise<SocketRecord[]> {
  const deadline = performance.now() + 3_000;
  while (true) {
    const sockets = server.recorder.since(mark).sockets.filter((socket) => ports.includes(socket.remotePort));
    const allEnded = sockets.length === ports.length && sockets.every((socket) => socket.end !== 'open');
    if (allEnded || performance.now() > deadline) return sockets;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One round: the malformed inputs at once with `good` well-formed requests alongside; every answer judged, and every
 * malformed connection recorded by the server as one socket that ended (with a handshake unless it was TCP garbage).
 */
export async function malformedRound(target: FuzzTarget, inputs: BadInput[], good = 4): Promise<string[]> {
  const mark = target.server.recorder.mark();
  const wellFormedDone = Promise.all(Array.from({ length: good }, () => wellFormed(target)));
  const exchanges = await Promise.all(inputs.map((input) => send(target.server, input)));
  const problems = (await wellFormedDone).flat();
  inputs.forEach((input, index) => problems.push(...judgeAnswer(input, exchanges[index]!)));
  const sockets = await recordedSockets(target.server, mark, exchanges.map((exchange) => exchange.localPort));
  if (sockets.length !== inputs.length) problems.push(`${sockets.length} sockets recorded for ${inputs.length} inputs`);
  for (const [index, input] of inputs.entries()) {
    const socket = sockets.find((candidate) => candidate.remotePort === exchanges[index]!.localPort);
    if (socket === undefined) continue;
    if (socket.end === 'open') problems.push(`${input.kind}: socket ${socket.socketId} still open`);
    const handshook = socket.handshakeAt !== null;
    if (handshook !== (input.kind !== 'tcp-garbage')) problems.push(`${input.kind}: socket ${socket.socketId} handshake ${handshook}`);
  }
  return problems;
}
