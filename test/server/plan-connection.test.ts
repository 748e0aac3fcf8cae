import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import type { ResponsePlan } from '../../src/server/response-plan.js';
import { fakeCouch } from './support/fake-couch.js';
import { parseHead, rawExchange, rawRequest } from './support/raw-tls.js';

let server: MockServer;
const plans = new Map<string, ResponsePlan>();

beforeAll(async () => {
  server = await startMockServer({ couch: fakeCouch(), plans: { planFor: (id) => (id ? plans.get(id) : undefined) } });
});
afterAll(() => server.close());

/** Read until the server closes (or resets), not just until a whole response is in. */
const untilClose = () => ({ ca: server.ca, stopWhenComplete: false });

async function settled() {
  expect(await server.whenSocketsClosed(2_000)).toBe(true);
  return server.recorder.snapshot();
}

function find(requestId: string, history: Awaited<ReturnType<typeof settled>>) {
  const request = history.requests.find((candidate) => candidate.requestId === requestId)!;
  return { request, socket: history.sockets.find((socket) => socket.socketId === request.socketId)! };
}

describe('ResponsePlan connection fields', () => {
  it('connectionClose: announces Connection: close, then closes', async () => {
    plans.set('close', { connectionClose: true });
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'close'), untilClose());
    expect(parseHead(result.text).headers.get('connection')).toBe('close');
    expect(result.ending).toBe('end');
    const { socket } = find('close', await settled());
    expect(socket).toMatchObject({ end: 'server-close', endDetail: 'fault:connection-close' });
  });

  it('a client that asks for Connection: close gets it, recorded as a server close on request', async () => {
    const request = rawRequest('GET', '/', 'asks-close', { headers: { connection: 'close' } });
    const result = await rawExchange(server.port, request, untilClose());
    expect(parseHead(result.text).headers.get('connection')).toBe('close');
    const { socket } = find('asks-close', await settled());
    expect(socket).toMatchObject({ end: 'server-close', endDetail: 'request-close' });
  });

  it('keepAliveHintS: advertises Keep-Alive: timeout=N and keeps the socket', async () => {
    plans.set('hint', { keepAliveHintS: 7 });
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'hint'), { ca: server.ca });
    const { headers } = parseHead(result.text);
    expect(headers.get('keep-alive')).toBe('timeout=7');
    expect(headers.get('connection')).toBe('keep-alive');
    expect(result.ending).toBe('complete');
  });

  it('finAfter: a FIN right after the response, with nothing announced', async () => {
    plans.set('fin', { finAfter: true, faults: ['fin-after'] });
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'fin'), untilClose());
    const { status, headers } = parseHead(result.text);
    expect(status).toBe(200);
    expect(headers.get('connection')).toBe('keep-alive');
    expect(result.ending).toBe('end');
    expect(find('fin', await settled()).socket).toMatchObject({ end: 'server-close', endDetail: 'fault:fin-after' });
  });

  it('idleCloseMs: closes an idle socket on time; a request in between postpones it', async () => {
    plans.set('idle-1', { idleCloseMs: 150 });
    plans.set('idle-2', { idleCloseMs: 60 });
    const client = new Client(server.origin, { connect: { ca: server.ca } });
    const first = await client.request({ path: '/', method: 'GET', headers: { 'x-couch-request-id': 'idle-1' } });
    await first.body.text();
    const firstDoneAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Arrives before the 150 ms idle close: the socket must survive it and close 60 ms after this response instead.
    const second = await client.request({ path: '/', method: 'GET', headers: { 'x-couch-request-id': 'idle-2' } });
    await second.body.text();
    const history = await settled();
    await client.close();
    const { socket, request } = find('idle-2', history);
    expect(find('idle-1', history).socket.socketId).toBe(socket.socketId);
    expect(socket).toMatchObject({ end: 'server-close', endDetail: 'fault:idle-close', requestCount: 2 });
    expect(socket.endedAt! - request.lastByteAt!).toBeGreaterThanOrEqual(55);
    expect(socket.endedAt! - firstDoneAt).toBeGreaterThanOrEqual(50 + 55);
  });

  it('resetAtByte: N body bytes, then a reset (ECONNRESET at the client)', async () => {
    plans.set('reset-mid', { resetAtByte: 8, faults: ['reset-mid-body'] });
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'reset-mid'), untilClose());
    expect(result.ending).toBe('ECONNRESET');
    const seen = parseHead(result.text).rest;
    expect(seen.length).toBeLessThanOrEqual(8);
    const { request, socket } = find('reset-mid', await settled());
    expect(request).toMatchObject({ outcome: 'reset', bytes: 8, status: 200, faults: ['reset-mid-body'] });
    expect(socket).toMatchObject({ end: 'reset', endDetail: 'fault:reset-mid-body' });
  });

  it('resetBeforeAnswer: the request is read, nothing is written, the socket is reset', async () => {
    plans.set('reset-first', { resetBeforeAnswer: true });
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'reset-first'), untilClose());
    expect(result).toMatchObject({ ending: 'ECONNRESET', text: '' });
    const { request, socket } = find('reset-first', await settled());
    expect(request).toMatchObject({ outcome: 'reset', bytes: 0, firstByteAt: null, bodyDigest: null });
    expect(socket).toMatchObject({ end: 'reset', endDetail: 'fault:reset-before-answer' });
  });

  it('replaceWith: the error replaces the answer, with Retry-After and a body of bodyBytes', async () => {
    plans.set('throttled', { replaceWith: { status: 429, retryAfterS: 3, bodyBytes: 4_000 } });
    const client = new Client(server.origin, { connect: { ca: server.ca } });
    const response = await client.request({
      path: '/acme-db/_all_docs',
      method: 'GET',
      headers: { 'x-couch-request-id': 'throttled' },
    });
    const body = await response.body.text();
    await client.close();
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.headers['content-length']).toBe('4000');
    expect(response.headers.server).toMatch(/^CouchDB\//);
    expect(Buffer.byteLength(body)).toBe(4_000);
    expect(JSON.parse(body)).toMatchObject({ error: 'too_many_requests' });
    expect(find('throttled', await settled()).request).toMatchObject({ status: 429, bytes: 4_000 });
  });

  it('trailers: a chunked body ending in a trailer undici reads', async () => {
    plans.set('trailed', { trailers: true, splitAt: [30], faults: ['trailers'] });
    const client = new Client(server.origin, { connect: { ca: server.ca } });
    const response = await client.request({ path: '/', method: 'GET', headers: { 'x-couch-request-id': 'trailed' } });
    const body = await response.body.text();
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.headers.trailer).toBe('X-Crosstalk-Trailer');
    expect(response.trailers).toMatchObject({ 'x-crosstalk-trailer': 'trailed' });
    expect(JSON.parse(body)).toEqual({ couchdb: 'Welcome' });
    // The socket is still usable after the trailer.
    const next = await client.request({ path: '/', method: 'GET' });
    await next.body.text();
    expect(next.statusCode).toBe(200);
    await client.close();
  });

  it('HEAD under a plan: headers, never a body', async () => {
    plans.set('head', { splitAt: [3], dripMs: 5, trailers: true });
    const result = await rawExchange(server.port, rawRequest('HEAD', '/acme-db/_all_docs', 'head'), {
      ca: server.ca,
      timeoutMs: 300,
    });
    expect(result.text.endsWith('\r\n\r\n')).toBe(true);
    expect(parseHead(result.text).rest).toBe('');
  });
});
