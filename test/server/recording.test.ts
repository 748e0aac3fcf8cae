import { Client, Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import type { PlanSource, ResponsePlan } from '../../src/server/response-plan.js';
import { basic, fakeCouch } from './support/fake-couch.js';

let server: MockServer;
const plans = new Map<string, ResponsePlan>();
const planSource: PlanSource = { planFor: (id) => (id === undefined ? undefined : plans.get(id)) };

beforeAll(async () => {
  server = await startMockServer({ couch: fakeCouch(), plans: planSource });
});
afterAll(() => server.close());

async function get(dispatcher: Pool | Client, requestId: string, authorization?: string): Promise<number> {
  const headers: Record<string, string> = { 'x-couch-request-id': requestId };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await dispatcher.request({ path: '/acme-db/_all_docs', method: 'GET', headers });
  await response.body.text();
  return response.statusCode;
}

describe('recording', () => {
  it('20 sequential requests on one keep-alive socket: one socket, one handshake, seq 1..20', async () => {
    const mark = server.recorder.mark();
    const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
    for (let index = 1; index <= 20; index += 1) expect(await get(pool, `seq-${index}`)).toBe(200);
    await pool.close();
    expect(await server.whenSocketsClosed(2_000)).toBe(true);
    const history = server.recorder.since(mark);
    expect(history.sockets).toHaveLength(1);
    const [socket] = history.sockets;
    expect(socket!.handshakeAt).not.toBeNull();
    expect(socket!.alpn).toBe('http/1.1');
    expect(socket!.requestCount).toBe(20);
    expect(socket!.end).toBe('client-fin');
    expect(history.requests.map((request) => request.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(history.requests.map((request) => request.requestId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `seq-${i + 1}`),
    );
    for (const request of history.requests) {
      expect(request).toMatchObject({ socketId: socket!.socketId, requestIdEchoed: true, outcome: 'complete' });
      expect(request.firstByteAt!).toBeGreaterThanOrEqual(request.arrivedAt);
      expect(request.lastByteAt!).toBeGreaterThanOrEqual(request.firstByteAt!);
      expect(request.bodyDigest).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('5 fresh clients: 5 sockets, 5 handshakes, each ended by the client', async () => {
    const mark = server.recorder.mark();
    for (let index = 0; index < 5; index += 1) {
      const client = new Client(server.origin, { connect: { ca: server.ca } });
      expect(await get(client, `fresh-${index}`)).toBe(200);
      await client.close();
    }
    expect(await server.whenSocketsClosed(2_000)).toBe(true);
    const history = server.recorder.since(mark);
    expect(history.sockets).toHaveLength(5);
    expect(new Set(history.requests.map((request) => request.socketId)).size).toBe(5);
    for (const socket of history.sockets) {
      expect(socket.handshakeAt).toBeGreaterThanOrEqual(socket.acceptedAt);
      expect(socket).toMatchObject({ requestCount: 1, end: 'client-fin' });
      expect(socket.endedAt).not.toBeNull();
    }
    expect(history.sockets.map((socket) => socket.socketId)).toEqual(
      [...history.sockets.map((socket) => socket.socketId)].sort((a, b) => a - b),
    );
  });

  it('records identity, tenant and a credential fingerprint that never holds the secret', async () => {
    const mark = server.recorder.mark();
    const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
    await get(pool, 'alice-1', basic('alice', 'alice-pw'));
    await get(pool, 'alice-2', basic('alice', 'alice-pw'));
    await get(pool, 'bob-1', basic('bob', 'bob-pw'));
    await get(pool, 'anon-1');
    await pool.close();
    const byId = new Map(server.recorder.since(mark).requests.map((request) => [request.requestId, request]));
    expect(byId.get('alice-1')).toMatchObject({ identity: 'alice', tenant: 'acme' });
    expect(byId.get('bob-1')).toMatchObject({ identity: 'bob', tenant: 'globex' });
    expect(byId.get('anon-1')).toMatchObject({ identity: null, tenant: null, credential: null });
    const alice = byId.get('alice-1')!.credential;
    expect(alice).toMatch(/^[0-9a-f]{16}$/);
    expect(byId.get('alice-2')!.credential).toBe(alice);
    expect(byId.get('bob-1')!.credential).not.toBe(alice);
    expect(JSON.stringify(server.recorder.snapshot())).not.toContain('alice-pw');
  });

  it('end reasons: Connection: close → server-close, reset plan → reset', async () => {
    plans.set('closer', { connectionClose: true, faults: ['connection-close'] });
    plans.set('resetter', { resetAtByte: 10, faults: ['reset-mid-body'] });
    const mark = server.recorder.mark();
    const closer = new Client(server.origin, { connect: { ca: server.ca } });
    expect(await get(closer, 'closer')).toBe(200);
    const resetter = new Client(server.origin, { connect: { ca: server.ca } });
    const failure = { code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/) };
    await expect(get(resetter, 'resetter')).rejects.toMatchObject(failure);
    await Promise.all([closer.close(), resetter.close()]);
    expect(await server.whenSocketsClosed(2_000)).toBe(true);
    const history = server.recorder.since(mark);
    const socketOf = (id: string) => {
      const request = history.requests.find((candidate) => candidate.requestId === id)!;
      return { request, socket: history.sockets.find((socket) => socket.socketId === request.socketId)! };
    };
    expect(socketOf('closer').socket).toMatchObject({ end: 'server-close', endDetail: 'fault:connection-close' });
    expect(socketOf('closer').request).toMatchObject({ outcome: 'complete', faults: ['connection-close'] });
    expect(socketOf('resetter').socket).toMatchObject({ end: 'reset', endDetail: 'fault:reset-mid-body' });
    expect(socketOf('resetter').request).toMatchObject({ outcome: 'reset', bytes: 10 });
  });

  it('mark/since slices a run; onRequestArrived sees each arrival before its response', async () => {
    const arrived: string[] = [];
    server.recorder.onRequestArrived((request) => {
      expect(request.lastByteAt).toBeNull();
      arrived.push(request.requestId);
    });
    const mark = server.recorder.mark();
    const pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
    await Promise.all(['a', 'b', 'c'].map((id) => get(pool, `arrive-${id}`)));
    await pool.close();
    server.recorder.onRequestArrived(undefined);
    expect(arrived.sort()).toEqual(['arrive-a', 'arrive-b', 'arrive-c']);
    const history = server.recorder.since(mark);
    expect(history.requests.map((request) => request.requestId).sort()).toEqual(arrived);
    expect(history.schema).toBe(1);
    // A snapshot is a copy: mutating it does not touch the recorder.
    history.requests[0]!.faults.push('mutated');
    expect(server.recorder.since(mark).requests[0]!.faults).toEqual([]);
  });
});
