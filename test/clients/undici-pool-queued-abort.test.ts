import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/server/index.js';

/**
 * The finding behind the README's second undici Pool figure under every fault, pinned without the harness: a request
 * aborted while it waits in the Pool's queue is still handed to a client when a socket frees up, and undici's
 * `writeH1` then calls its abort, which destroys that healthy keep-alive socket: the next call needs a new handshake.
 * If this test starts failing, undici has changed it: update the README.
 */
const DB = 'foundbite';
let server: MockServer;
let authorization: string;

beforeAll(async () => {
  server = await startMockServer();
  const user = server.couch.accounts().find((account) => account.databases.includes(DB))!.users[0]!;
  authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
  // The first call is slow, so the second waits in the Pool's queue.
  server.setPlans({ planFor: (id) => (id?.endsWith('-slow') ? { headerDelayMs: 50 } : undefined) });
});
afterAll(async () => {
  await server?.close();
});

async function socketsFor(abortQueued: boolean, run: number): Promise<{ outcomes: string[]; sockets: number }> {
  const before = server.recorder.snapshot().sockets.length;
  const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
  const get = (id: string, signal?: AbortSignal) =>
    pool
      .request({ path: `/${DB}/_all_docs?limit=1`, method: 'GET', headers: { authorization, 'x-couch-request-id': id }, signal })
      .then(async (response) => {
        await response.body.text();
        return String(response.statusCode);
      })
      .catch((error: Error) => error.name);
  const controller = new AbortController();
  const slow = get(`${run}-slow`);
  const queued = get(`${run}-queued`, controller.signal);
  const timer = abortQueued ? setTimeout(() => controller.abort(), 10) : undefined;
  const outcomes = [await slow, await queued, await get(`${run}-next`)];
  clearTimeout(timer);
  await pool.close();
  return { outcomes, sockets: server.recorder.snapshot().sockets.length - before };
}

describe('undici Pool and a request aborted in its queue (undici 7.30.2)', () => {
  it('serves a queued request on the same socket when nothing is aborted (the control)', async () => {
    expect(await socketsFor(false, 1)).toEqual({ outcomes: ['200', '200', '200'], sockets: 1 });
  }, 10_000);

  it('destroys the healthy socket it hands the aborted request to: the next call needs a second socket', async () => {
    expect(await socketsFor(true, 2)).toEqual({ outcomes: ['200', 'AbortError', '200'], sockets: 2 });
  }, 10_000);
});
