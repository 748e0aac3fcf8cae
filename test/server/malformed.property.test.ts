import fc from 'fast-check';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocketRecord } from '../../src/history/records.js';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import { parseHead, rawExchange, rawRequest, type RawExchange } from './support/raw-tls.js';

/** Fixed, printed, pasteable: `SEED=… npx vitest run test/server/malformed.property.test.ts` replays a failure. */
const SEED = Number(process.env.SEED ?? 20_251_125);
const NUM_RUNS = 30;
const MAX_BODY = 64 * 1024;
const DB = 'foundbite';

let server: MockServer;
let pool: Pool;
let authorization: string;

beforeAll(async () => {
  server = await startMockServer({ maxBodyBytes: MAX_BODY });
  const user = server.couch.accounts().find((account) => account.databases.includes(DB))!.users[0]!;
  authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
  pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
});
afterAll(async () => {
  await pool.close();
  await server.close();
});

type BadInput =
  | { kind: 'bad-line' | 'bad-header' | 'tls-garbage'; bytes: Buffer }
  | { kind: 'invalid-json' | 'wrong-method' | 'unknown-path'; bytes: Buffer; status: number }
  | { kind: 'big-header' | 'big-body'; bytes: Buffer; status: number }
  | { kind: 'tcp-garbage'; bytes: Buffer };

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

const badInput: fc.Arbitrary<BadInput> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...BAD_METHODS), printable, fc.constantFrom(...BAD_VERSIONS))
    .map(([method, target, version]) => ({
      kind: 'bad-line' as const,
      bytes: Buffer.from(`${method} /${target} ${version}${requestTail}`),
    })),
  fc.constantFrom(...BAD_HEADERS).map((header) => ({
    kind: 'bad-header' as const,
    bytes: Buffer.from(`GET /${DB}/_all_docs HTTP/1.1\r\nhost: x\r\n${header}\r\n\r\n`),
  })),
  printable.map((junk) => ({
    kind: 'invalid-json' as const,
    status: 400,
    bytes: raw('POST', `/${DB}/_all_docs`, {
      headers: { authorization, 'content-type': 'application/json' },
      body: `{${junk}`,
    }),
  })),
  fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS').map((method) => ({
    kind: 'wrong-method' as const,
    status: 405,
    bytes: raw(method, `/${DB}/_all_docs`, { headers: { authorization } }),
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
  fc.integer({ min: MAX_BODY + 1, max: MAX_BODY * 2 }).map((size) => ({
    kind: 'big-body' as const,
    status: 413,
    bytes: raw('POST', `/${DB}/_all_docs`, { headers: { 'content-type': 'application/json' }, body: ' '.repeat(size) }),
  })),
  fc.uint8Array({ minLength: 1, maxLength: 2_048 }).map((bytes) => ({
    kind: 'tls-garbage' as const,
    bytes: Buffer.from(bytes),
  })),
  fc.uint8Array({ minLength: 1, maxLength: 2_048 }).map((bytes) => ({
    kind: 'tcp-garbage' as const,
    bytes: Buffer.from(bytes),
  })),
);

function send(input: BadInput): Promise<RawExchange> {
  const options = { endAfterWrite: true, timeoutMs: 5_000, stopWhenComplete: false };
  return rawExchange(server.port, input.bytes, input.kind === 'tcp-garbage' ? options : { ...options, ca: server.ca });
}

/** What came back is a CouchDB-shaped error with the expected status, or nothing but a closed connection. */
function checkAnswer(input: BadInput, exchange: RawExchange): void {
  expect(exchange.ending, input.kind).not.toBe('timeout');
  if (input.kind === 'tcp-garbage') {
    expect(exchange.text.startsWith('HTTP/'), 'no HTTP over a failed handshake').toBe(false);
    return;
  }
  if (exchange.text === '') {
    // Only inputs the server may refuse mid-upload can end without an answer.
    expect(['big-header', 'big-body', 'bad-line', 'bad-header', 'tls-garbage'], input.kind).toContain(input.kind);
    return;
  }
  const { status, headers, rest } = parseHead(exchange.text);
  if ('status' in input) expect(status, input.kind).toBe(input.status);
  else expect(status, input.kind).toBeGreaterThanOrEqual(400);
  expect(headers.get('server'), input.kind).toMatch(/^CouchDB\//);
  expect(Object.keys(JSON.parse(rest) as object), input.kind).toEqual(['error', 'reason']);
}

async function wellFormed(index: number, expected: Map<number, string>): Promise<void> {
  const limit = (index % 4) + 1;
  const requestId = `good-${index}`;
  const response = await pool.request({
    path: `/${DB}/_all_docs?limit=${limit}`,
    method: 'GET',
    headers: { authorization, 'x-couch-request-id': requestId },
  });
  const body = await response.body.text();
  expect(response.statusCode).toBe(200);
  expect(response.headers['x-couch-request-id']).toBe(requestId);
  if (!expected.has(limit)) expected.set(limit, body);
  expect(body).toBe(expected.get(limit));
}

async function recordedSockets(ports: number[]): Promise<SocketRecord[]> {
  const deadline = performance.now() + 3_000;
  while (true) {
    const sockets = server.recorder.snapshot().sockets.filter((socket) => ports.includes(socket.remotePort));
    const allEnded = sockets.length === ports.length && sockets.every((socket) => socket.end !== 'open');
    if (allEnded || performance.now() > deadline) return sockets;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('malformed input never disturbs the server or well-formed traffic', () => {
  it(`property (seed ${SEED}, ${NUM_RUNS} runs)`, { timeout: 120_000 }, async () => {
    console.log(`malformed.property: seed ${SEED}`);
    const expected = new Map<number, string>();
    let goodIndex = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(badInput, { minLength: 1, maxLength: 4 }), async (inputs) => {
        const good = Array.from({ length: 4 }, () => wellFormed(goodIndex++, expected));
        const exchanges = await Promise.all(inputs.map(send));
        await Promise.all(good);
        inputs.forEach((input, index) => checkAnswer(input, exchanges[index]!));
        const sockets = await recordedSockets(exchanges.map((exchange) => exchange.localPort));
        expect(sockets).toHaveLength(inputs.length);
        for (const [index, input] of inputs.entries()) {
          const socket = sockets.find((candidate) => candidate.remotePort === exchanges[index]!.localPort)!;
          expect(socket.end, input.kind).not.toBe('open');
          if (input.kind === 'tcp-garbage') expect(socket.handshakeAt, input.kind).toBeNull();
          else expect(socket.handshakeAt, input.kind).not.toBeNull();
        }
      }),
      { seed: SEED, numRuns: NUM_RUNS, interruptAfterTimeLimit: 100_000, markInterruptAsFailure: true },
    );
    // Still up, same pool, nothing left open but the pool's own sockets.
    await wellFormed(goodIndex++, expected);
    expect(server.openSockets()).toBeLessThanOrEqual(2);
  });
});
