import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import type { ResponsePlan } from '../../src/server/response-plan.js';
import { fakeCouch } from './support/fake-couch.js';
import { parseHead, rawExchange, rawRequest } from './support/raw-tls.js';

// Timing assertions are lower bounds only (a delay is at least as long as planned); upper bounds would be flaky.
let server: MockServer;
const plans = new Map<string, ResponsePlan>();

beforeAll(async () => {
  server = await startMockServer({ couch: fakeCouch(), plans: { planFor: (id) => (id ? plans.get(id) : undefined) } });
});
afterAll(() => server.close());

function recordOf(requestId: string) {
  return server.recorder.snapshot().requests.find((request) => request.requestId === requestId)!;
}

/** The client can hold the last byte before the server's write callback says 'finish': wait for the record. */
async function finishedRecord(requestId: string) {
  for (let attempt = 0; attempt < 100 && recordOf(requestId).lastByteAt === null; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return recordOf(requestId);
}

describe('ResponsePlan timing fields', () => {
  it('gate: nothing is written until the gate opens', async () => {
    let open!: () => void;
    plans.set('gated', { gate: () => new Promise<void>((resolve) => (open = resolve)), faults: ['late-reply'] });
    const exchange = rawExchange(server.port, rawRequest('GET', '/acme-db/_all_docs', 'gated'), { ca: server.ca });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const openedAt = performance.now();
    open();
    const result = await exchange;
    expect(result.reads[0]!.at).toBeGreaterThanOrEqual(openedAt);
    expect(parseHead(result.text).status).toBe(200);
    expect(recordOf('gated').firstByteAt!).toBeGreaterThanOrEqual(openedAt);
    expect(recordOf('gated').faults).toEqual(['late-reply']);
  });

  it('a plan that only names faults is served plainly, and the faults are recorded', async () => {
    plans.set('named-only', { faults: ['retry-after'] });
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'named-only'), { ca: server.ca });
    expect(parseHead(result.text).status).toBe(200);
    expect(recordOf('named-only').faults).toEqual(['retry-after']);
  });

  it('headerDelayMs: the status line comes no sooner than the delay', async () => {
    plans.set('head-delay', { headerDelayMs: 80 });
    const sentAt = performance.now();
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'head-delay'), { ca: server.ca });
    expect(result.reads[0]!.at - sentAt).toBeGreaterThanOrEqual(75);
    const record = recordOf('head-delay');
    expect(record.firstByteAt! - record.arrivedAt).toBeGreaterThanOrEqual(75);
  });

  it('bodyDelayMs: the head arrives alone, the body no sooner than the delay after it', async () => {
    plans.set('body-delay', { bodyDelayMs: 80 });
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'body-delay'), { ca: server.ca });
    expect(result.reads.map((read) => read.bytes.toString('latin1').endsWith('\r\n\r\n'))).toEqual([true, false]);
    expect(result.reads[1]!.bytes.toString()).toBe('{"couchdb":"Welcome"}');
    // Measured at the server: client-side read times shift with the client's own event loop.
    const record = await finishedRecord('body-delay');
    expect(record.lastByteAt! - record.firstByteAt!).toBeGreaterThanOrEqual(78);
  });

  it('splitAt + dripMs: each piece is a separate read, a drip apart; the body is intact', async () => {
    plans.set('drip', { splitAt: [5, 12], dripMs: 40, faults: ['slow-drip'] });
    const sentAt = performance.now();
    const result = await rawExchange(server.port, rawRequest('GET', '/', 'drip'), { ca: server.ca });
    expect(parseHead(result.text).rest).toBe('{"couchdb":"Welcome"}');
    // The first piece travels with the head; the other two each come alone, at least a drip apart.
    expect(result.reads.map((read) => read.bytes.toString('latin1')).slice(1)).toEqual(['chdb":"', 'Welcome"}']);
    expect(result.reads[0]!.bytes.toString('latin1').endsWith('\r\n\r\n{"cou')).toBe(true);
    // Two drips stand between the request and the last piece (gaps between reads would depend on the client).
    expect(result.reads[2]!.at - sentAt).toBeGreaterThanOrEqual(78);
    const record = await finishedRecord('drip');
    expect(record.lastByteAt! - record.firstByteAt!).toBeGreaterThanOrEqual(78);
    expect(recordOf('drip').bytes).toBe('{"couchdb":"Welcome"}'.length);
  });

  it('splitAt on a chunked body: separate chunks, still a valid chunked stream', async () => {
    plans.set('chunks', { splitAt: [1, 50, 100], dripMs: 10 });
    const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
    const headers = { 'x-couch-request-id': 'chunks' };
    const response = await pool.request({ path: '/acme-db/_all_docs', method: 'GET', headers });
    const text = await response.body.text();
    await pool.close();
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(text).rows).toHaveLength(20);
  });

  it('interim 103: undici reports it through onInfo before the final 200', async () => {
    plans.set('hints', { interim: [103], faults: ['interim-103'] });
    const infos: number[] = [];
    const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
    const response = await pool.request({
      path: '/',
      method: 'GET',
      headers: { 'x-couch-request-id': 'hints' },
      onInfo: (info) => infos.push(info.statusCode),
    });
    await response.body.text();
    await pool.close();
    expect(infos).toEqual([103]);
    expect(response.statusCode).toBe(200);
    const raw = await rawExchange(server.port, rawRequest('GET', '/', 'hints'), { ca: server.ca, timeoutMs: 500 });
    expect(raw.text).toMatch(/^HTTP\/1\.1 103 Early Hints\r\nLink: <\/>; rel=preconnect\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });

  it('interim 100: sent only to a request that expects it, before the client sends its body', async () => {
    plans.set('continue', { interim: [100] });
    const head = rawRequest('POST', '/_echo', 'continue', {
      headers: { expect: '100-continue', 'content-length': '2', 'content-type': 'application/json' },
    });
    // The body is never sent: a 100 must come without it.
    const result = await rawExchange(server.port, head, { ca: server.ca, timeoutMs: 300 });
    expect(result.text).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    const plain = await rawExchange(server.port, rawRequest('GET', '/', 'continue'), { ca: server.ca, timeoutMs: 300 });
    expect(plain.text.startsWith('HTTP/1.1 200 OK')).toBe(true);
  });

  it('Expect: 100-continue with a replaced answer: the final status, no 100, no body read', async () => {
    plans.set('no-continue', { replaceWith: { status: 503, retryAfterS: 1 } });
    const head = rawRequest('POST', '/_echo', 'no-continue', {
      headers: { expect: '100-continue', 'content-length': '2', 'content-type': 'application/json' },
    });
    const result = await rawExchange(server.port, head, { ca: server.ca, timeoutMs: 300 });
    expect(result.text.startsWith('HTTP/1.1 503 Service Unavailable\r\n')).toBe(true);
    expect(result.text).not.toContain('100 Continue');
  });
});
