import { connect } from 'node:tls';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_HEADER, startMockServer, type MockServer } from '../../src/server/index.js';
import { fakeCouch } from './support/fake-couch.js';
import { parseHead, rawExchange, rawRequest } from './support/raw-tls.js';

let server: MockServer;
let pool: Pool;

beforeAll(async () => {
  server = await startMockServer({
    couch: fakeCouch(),
    maxBodyBytes: 1_024,
    plans: { planFor: (id) => (id === 'replaced' ? { replaceWith: { status: 503 } } : undefined) },
  });
  pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
});
afterAll(async () => {
  await pool.close();
  await server.close();
});

const STANDARD = {
  server: SERVER_HEADER,
  'x-couchdb-body-time': '0',
  'cache-control': 'must-revalidate',
  'content-type': 'application/json',
};

function expectStandard(headers: Map<string, string> | Record<string, unknown>): void {
  const get = (name: string) => (headers instanceof Map ? headers.get(name) : headers[name]);
  for (const [name, value] of Object.entries(STANDARD)) expect(get(name), name).toBe(value);
  expect(get('x-couch-request-id'), 'x-couch-request-id').toMatch(/^[A-Za-z0-9_-]{1,36}$/);
}

describe('headers on every response', () => {
  interface Case {
    name: string;
    method: string;
    path: string;
    body?: string;
    headers?: Record<string, string>;
    status: number;
  }
  const cases: Case[] = [
    { name: 'plain JSON', method: 'GET', path: '/', status: 200 },
    { name: 'chunked _all_docs', method: 'GET', path: '/acme-db/_all_docs?limit=5', status: 200 },
    { name: 'HEAD', method: 'HEAD', path: '/acme-db/_all_docs', status: 200 },
    { name: 'not found', method: 'GET', path: '/nowhere', status: 404 },
    { name: 'wrong method', method: 'DELETE', path: '/acme-db/_all_docs', status: 405 },
    { name: 'handler crash', method: 'GET', path: '/_crash', status: 500 },
    { name: 'replaced answer', method: 'GET', path: '/', headers: { 'x-couch-request-id': 'replaced' }, status: 503 },
    { name: 'body too large', method: 'POST', path: '/_echo', body: 'x'.repeat(2_000), status: 413 },
  ];
  for (const testCase of cases) {
    it(`${testCase.name} → ${testCase.status}`, async () => {
      const response = await pool.request({
        method: testCase.method,
        path: testCase.path,
        headers: { 'content-type': 'application/json', ...testCase.headers },
        ...(testCase.body === undefined ? {} : { body: testCase.body }),
      });
      const body = await response.body.text();
      expect(response.statusCode).toBe(testCase.status);
      expectStandard(response.headers);
      if (testCase.method === 'HEAD') expect(body).toBe('');
      else if (testCase.status >= 400) expect(Object.keys(JSON.parse(body))).toEqual(['error', 'reason']);
      if (testCase.status === 405) expect(response.headers.allow).toBe('GET,HEAD,POST');
      if (testCase.status === 413) {
        expect(JSON.parse(body)).toEqual({ error: 'too_large', reason: 'the request entity is too large' });
      }
      if (testCase.path.includes('_all_docs') && testCase.status === 200) {
        expect(response.headers['transfer-encoding']).toBe('chunked');
        expect(response.headers['content-length']).toBeUndefined();
      } else if (testCase.method !== 'HEAD') {
        expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(body));
      }
    });
  }

  // undici refuses to send Expect at all: these go raw.
  it('unsupported Expect → 417', async () => {
    const request = rawRequest('POST', '/_echo', 'teapot', { headers: { expect: 'teapot' }, body: '{}' });
    const { status, headers, rest } = parseHead((await rawExchange(server.port, request, { ca: server.ca })).text);
    expect(status).toBe(417);
    expectStandard(headers);
    expect(JSON.parse(rest)).toMatchObject({ error: 'expectation_failed' });
  });

  it('Expect: 100-continue without a plan: 100, then the answer to the body sent after it', async () => {
    const head = rawRequest('POST', '/_echo', 'expects', {
      headers: { expect: '100-continue', 'content-length': '7' },
    });
    const result = await new Promise<string>((resolve, reject) => {
      const socket = connect({ port: server.port, host: '127.0.0.1', ca: server.ca }, () => socket.write(head));
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        // The body goes only once the 100 is in.
        if (text === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('{"a":1}');
        if (text.endsWith('}')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
    });
    expect(result.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
    expect(JSON.parse(parseHead(result.slice(25)).rest)).toMatchObject({ method: 'POST', body: '{"a":1}' });
  });

  it('a request the parser rejects gets the same headers on its raw 400', async () => {
    const result = await rawExchange(server.port, 'GET / HTTP/1.1\r\nbad header line\r\n\r\n', { ca: server.ca });
    const { status, headers, rest } = parseHead(result.text);
    expect(status).toBe(400);
    expectStandard(headers);
    expect(headers.get('connection')).toBe('close');
    expect(Number(headers.get('content-length'))).toBe(rest.length);
    expect(JSON.parse(rest)).toMatchObject({ error: 'bad_request' });
  });
});

describe('X-Couch-Request-ID', () => {
  const longest = 'a'.repeat(36);
  const echoed = [longest, 'A-z_0-9', 'x'];
  const replaced = ['a'.repeat(37), 'has space', 'dot.ted', 'semi;colon', 'ünïcode', ''];

  async function answeredId(sent: string | undefined): Promise<string> {
    const idHeader = sent === undefined ? '' : `x-couch-request-id: ${sent}\r\n`;
    const request = rawRequest('GET', '/', 'unused').replace(/x-couch-request-id: unused\r\n/, idHeader);
    const result = await rawExchange(server.port, Buffer.from(request, 'utf8'), { ca: server.ca });
    return parseHead(result.text).headers.get('x-couch-request-id')!;
  }

  for (const id of echoed) {
    it(`echoes ${JSON.stringify(id)}`, async () => {
      expect(await answeredId(id)).toBe(id);
      const record = server.recorder.snapshot().requests.findLast((request) => request.requestId === id);
      expect(record?.requestIdEchoed).toBe(true);
    });
  }
  for (const id of [...replaced, undefined]) {
    it(`replaces ${JSON.stringify(id)} with 10 generated hex chars`, async () => {
      const answered = await answeredId(id);
      expect(answered).toMatch(/^[0-9a-f]{10}$/);
      const record = server.recorder.snapshot().requests.find((request) => request.requestId === answered);
      expect(record?.requestIdEchoed).toBe(false);
    });
  }

  it('generated ids are distinct', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => answeredId(undefined)));
    expect(new Set(ids).size).toBe(10);
  });
});
