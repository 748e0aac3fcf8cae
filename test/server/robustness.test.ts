import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import { fakeCouch } from './support/fake-couch.js';
import { parseHead, rawExchange, rawRequest } from './support/raw-tls.js';

let server: MockServer;
let pool: Pool;

beforeAll(async () => {
  server = await startMockServer({ couch: fakeCouch(), maxBodyBytes: 4_096 });
  pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
});
afterAll(async () => {
  await pool.close();
  await server.close();
});

/** A request on the long-lived keep-alive socket: it must keep working, on the same socket, whatever else happens. */
async function healthy(id: string): Promise<number> {
  const headers = { 'x-couch-request-id': id };
  const response = await pool.request({ path: '/acme-db/_all_docs', method: 'GET', headers });
  expect(JSON.parse(await response.body.text()).rows).toHaveLength(20);
  return server.recorder.snapshot().requests.find((request) => request.requestId === id)!.socketId;
}

async function socketRecordAfter(mark: ReturnType<MockServer['recorder']['mark']>) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const sockets = server.recorder.since(mark).sockets;
  expect(sockets).toHaveLength(1);
  return sockets[0]!;
}

describe('robustness', () => {
  it('raw TCP bytes where TLS is expected: a handshake error on that socket only', async () => {
    const keepAlive = await healthy('before-garbage');
    const mark = server.recorder.mark();
    const result = await rawExchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { stopWhenComplete: false });
    expect(result.ending).not.toBe('timeout');
    const socket = await socketRecordAfter(mark);
    expect(socket).toMatchObject({ end: 'error', handshakeAt: null, requestCount: 0 });
    expect(socket.endDetail).toMatch(/^ERR_SSL_/);
    expect(await healthy('after-garbage')).toBe(keepAlive);
  });

  it('random bytes that look like a TLS record: error, server up', async () => {
    const mark = server.recorder.mark();
    const fakeRecord = Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3, 4, 5]);
    await rawExchange(server.port, fakeRecord, { stopWhenComplete: false });
    expect((await socketRecordAfter(mark)).end).toBe('error');
    await healthy('after-fake-record');
  });

  it('a client that leaves before the handshake: client-fin; one that resets: reset', async () => {
    let mark = server.recorder.mark();
    await new Promise<void>((resolve) => {
      const tcp = tcpConnect(server.port, '127.0.0.1', () => tcp.end());
      tcp.on('close', () => resolve());
    });
    expect(await socketRecordAfter(mark)).toMatchObject({ end: 'client-fin', endDetail: 'before-handshake' });
    mark = server.recorder.mark();
    await new Promise<void>((resolve) => {
      const tcp = tcpConnect(server.port, '127.0.0.1', () => tcp.resetAndDestroy());
      tcp.on('close', () => resolve());
    });
    expect(await socketRecordAfter(mark)).toMatchObject({ end: 'reset', endDetail: 'ECONNRESET' });
  });

  it('a client reset after the handshake is recorded as reset', async () => {
    const mark = server.recorder.mark();
    await new Promise<void>((resolve) => {
      const tcp = tcpConnect(server.port, '127.0.0.1');
      const socket = tlsConnect({ socket: tcp, servername: 'localhost', ca: server.ca }, () => {
        // Give the server a turn to see the handshake complete before the RST.
        setTimeout(() => tcp.resetAndDestroy(), 20);
      });
      tcp.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    const record = await socketRecordAfter(mark);
    expect(record.handshakeAt).not.toBeNull();
    expect(record).toMatchObject({ end: 'reset', endDetail: 'ECONNRESET' });
  });

  it('garbage inside TLS: a CouchDB-shaped 400, the socket closed, a rejected request recorded', async () => {
    const mark = server.recorder.mark();
    const options = { ca: server.ca, stopWhenComplete: false };
    const result = await rawExchange(server.port, '\x00\x01\x02 not http\r\n\r\n', options);
    const { status, rest } = parseHead(result.text);
    expect(status).toBe(400);
    expect(JSON.parse(rest)).toMatchObject({ error: 'bad_request' });
    expect(result.ending).toBe('end');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const history = server.recorder.since(mark);
    expect(history.sockets[0]).toMatchObject({ end: 'server-close', requestCount: 1 });
    expect(history.sockets[0]!.endDetail).toMatch(/^bad-request:HPE_/);
    expect(history.requests[0]).toMatchObject({ outcome: 'rejected', status: 400, method: '' });
    await healthy('after-tls-garbage');
  });

  it('a bad header after a good request line: rejected, with the method, path and request id recorded', async () => {
    const mark = server.recorder.mark();
    const request = 'POST /acme-db/_all_docs?limit=1 HTTP/1.1\r\nx-couch-request-id: bad-head\r\nbad header\r\n\r\n';
    const result = await rawExchange(server.port, request, { ca: server.ca });
    expect(parseHead(result.text).headers.get('x-couch-request-id')).toBe('bad-head');
    const [record] = server.recorder.since(mark).requests;
    expect(record).toMatchObject({
      requestId: 'bad-head',
      requestIdEchoed: true,
      method: 'POST',
      path: '/acme-db/_all_docs',
      query: 'limit=1',
      outcome: 'rejected',
      status: 400,
    });
  });

  it('oversized headers: 431', async () => {
    const request = rawRequest('GET', '/', 'big-head', { headers: { 'x-padding': 'p'.repeat(20_000) } });
    const { status, rest } = parseHead((await rawExchange(server.port, request, { ca: server.ca })).text);
    expect(status).toBe(431);
    expect(JSON.parse(rest)).toHaveProperty('error');
    await healthy('after-big-head');
  });

  it('oversized bodies: 413 by Content-Length, and mid-stream for a chunked upload', async () => {
    const declared = rawRequest('POST', '/_echo', 'big-body', { body: 'b'.repeat(5_000) });
    const first = parseHead((await rawExchange(server.port, declared, { ca: server.ca })).text);
    expect(first.status).toBe(413);
    expect(JSON.parse(first.rest)).toEqual({ error: 'too_large', reason: 'the request entity is too large' });
    const chunk = 'c'.repeat(3_000);
    const piece = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const chunked = `POST /_echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n${piece}${piece}0\r\n\r\n`;
    const second = parseHead((await rawExchange(server.port, chunked, { ca: server.ca })).text);
    expect(second.status).toBe(413);
    expect(second.headers.get('connection')).toBe('close');
    await healthy('after-big-body');
  });

  it('a body within the bound reaches the couch intact', async () => {
    const body = JSON.stringify({ keys: ['doc-0001'], pad: 'x'.repeat(3_000) });
    const headers = { 'content-type': 'application/json' };
    const response = await pool.request({ path: '/_echo', method: 'POST', body, headers });
    expect(JSON.parse(await response.body.text())).toMatchObject({ method: 'POST', body });
  });

  it('Content-Encoding: gzip is decoded (bounded), other encodings are 415', async () => {
    const send = async (body: Buffer, encoding: string) => {
      const response = await pool.request({
        path: '/_echo',
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
    };
    expect(await send(gzipSync('{"keys":[]}'), 'gzip')).toMatchObject({ status: 200, json: { body: '{"keys":[]}' } });
    expect(await send(Buffer.from('{}'), 'br')).toMatchObject({ status: 415, json: { error: 'bad_content_type' } });
    expect(await send(Buffer.from('not gzip'), 'gzip')).toMatchObject({ status: 400, json: { error: 'bad_request' } });
    // 5 KB of zeros compress to a few dozen bytes but decode past the 4 KB bound.
    const bomb = gzipSync(Buffer.alloc(5_000));
    expect(await send(bomb, 'gzip')).toMatchObject({ status: 413, json: { error: 'too_large' } });
  });

  it('a handler header node refuses to write costs that socket only', async () => {
    const mark = server.recorder.mark();
    const result = await rawExchange(server.port, rawRequest('GET', '/_bad-header', 'bad-header-value'), {
      ca: server.ca,
      stopWhenComplete: false,
    });
    expect(result.text).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.recorder.since(mark).sockets[0]).toMatchObject({ end: 'error', endDetail: 'server-bug' });
    await healthy('after-bad-header-value');
  });
});
