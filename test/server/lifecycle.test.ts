import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../../src/server/index.js';
import { basic, fakeCouch } from './support/fake-couch.js';
import { rawExchange } from './support/raw-tls.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-lifecycle-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('lifecycle', () => {
  it('close() leaves no socket, server or timer behind, even with sockets open and responses held', async () => {
    const before = handles();
    const server = await startMockServer({
      couch: fakeCouch(),
      plans: {
        // A gate that never opens, and idle timers far in the future: close() must still leave nothing behind.
        planFor: (id) =>
          id === 'held' ? { gate: () => new Promise(() => undefined), idleCloseMs: 60_000 } : { idleCloseMs: 60_000 },
      },
    });
    const pool = new Pool(server.origin, { connections: 3, connect: { ca: server.ca } });
    const first = await pool.request({ path: '/', method: 'GET' });
    await first.body.text();
    const held = pool
      .request({ path: '/', method: 'GET', headers: { 'x-couch-request-id': 'held' } })
      .catch((error: unknown) => error);
    const pending = connect({ port: server.port, host: '127.0.0.1', ca: server.ca });
    pending.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.openSockets()).toBeGreaterThanOrEqual(2);
    await server.close();
    await server.close();
    expect(server.openSockets()).toBe(0);
    expect(await held).toBeInstanceOf(Error);
    await pool.destroy();
    pending.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = handles();
    for (const kind of ['TCPServerWrap', 'TCPSocketWrap', 'Timeout']) {
      expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(before[kind] ?? 0);
    }
    const history = server.recorder.snapshot();
    expect(history.sockets.every((socket) => socket.end !== 'open' && socket.endedAt !== null)).toBe(true);
    const heldRecord = history.requests.find((request) => request.requestId === 'held');
    expect(heldRecord).toMatchObject({ outcome: 'closed-early', firstByteAt: null });
  });

  it('destroySockets() ends every socket but keeps serving; whenSocketsClosed reports both ways', async () => {
    const server = await startMockServer({ couch: fakeCouch() });
    try {
      const pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
      await Promise.all([1, 2].map(async () => (await pool.request({ path: '/', method: 'GET' })).body.text()));
      expect(await server.whenSocketsClosed(50)).toBe(false);
      server.destroySockets();
      expect(await server.whenSocketsClosed(1_000)).toBe(true);
      const details = server.recorder.snapshot().sockets.map((socket) => socket.endDetail);
      expect(details).toEqual(['destroyed-between-runs', 'destroyed-between-runs']);
      const again = await pool.request({ path: '/', method: 'GET' });
      expect(again.statusCode).toBe(200);
      await again.body.text();
      await pool.close();
    } finally {
      await server.close();
    }
  });

  it('caFile() writes the CA once, for other clients; close() removes it', async () => {
    const server = await startMockServer({ couch: fakeCouch() });
    const file = await server.caFile();
    expect(await server.caFile()).toBe(file);
    expect(await readFile(file, 'utf8')).toBe(server.ca);
    expect(server.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(server.origin).toBe(`https://127.0.0.1:${server.port}`);
    await server.close();
    expect(existsSync(file)).toBe(false);
  });

  it('historyFile: a header line, then one JSON record a line, digests computed, no secret', async () => {
    const historyFile = join(dir, 'history.jsonl');
    const server = await startMockServer({ couch: fakeCouch(), historyFile, retainHistory: false });
    const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
    for (const id of ['h-1', 'h-2']) {
      const response = await pool.request({
        path: '/acme-db/_all_docs',
        method: 'GET',
        headers: { 'x-couch-request-id': id, authorization: basic('alice', 'alice-pw') },
      });
      await response.body.text();
    }
    await pool.close();
    expect(await server.whenSocketsClosed(2_000)).toBe(true);
    await server.close();
    expect(server.recorder.snapshot().requests).toEqual([]);
    const text = await readFile(historyFile, 'utf8');
    expect(text).not.toContain('alice-pw');
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'header', schema: 1, order: 'completion' });
    const requests = lines.filter((line) => line.type === 'request');
    const sockets = lines.filter((line) => line.type === 'socket');
    expect(requests.map((line) => line.requestId)).toEqual(['h-1', 'h-2']);
    expect(requests[0]).toMatchObject({ identity: 'alice', tenant: 'acme', outcome: 'complete', seq: 1 });
    expect(requests[0]!.bodyDigest).toMatch(/^[0-9a-f]{16}$/);
    expect(requests[0]!.credential).toBe(requests[1]!.credential);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]).toMatchObject({ requestCount: 2, end: 'client-fin' });
  });

  it('keepAliveTimeoutMs: advertised, and the idle close node makes is recorded as keep-alive-timeout', async () => {
    const server = await startMockServer({ couch: fakeCouch(), keepAliveTimeoutMs: 1_000 });
    try {
      // A raw client: undici would honour the hint and leave first.
      const request = 'GET / HTTP/1.1\r\nhost: x\r\n\r\n';
      const result = await rawExchange(server.port, request, { ca: server.ca, stopWhenComplete: false });
      expect(result.ending).toBe('end');
      expect(result.text).toContain('\r\nKeep-Alive: timeout=1\r\n');
      expect(await server.whenSocketsClosed(2_000)).toBe(true);
      const [socket] = server.recorder.snapshot().sockets;
      expect(socket).toMatchObject({ end: 'server-close', endDetail: 'keep-alive-timeout' });
    } finally {
      await server.close();
    }
  });

  it('a taken port is a startup error, not a crash', async () => {
    const server = await startMockServer({ couch: fakeCouch() });
    try {
      const second = startMockServer({ couch: fakeCouch(), port: server.port });
      await expect(second).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await server.close();
    }
  });
});
