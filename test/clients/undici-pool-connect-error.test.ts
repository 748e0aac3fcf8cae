import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionPlan } from '../../src/server/response-plan.js';
import { startMockServer, type MockServer } from '../../src/server/index.js';

/**
 * The finding behind the README's "undici Pool leaves a socket open after a failed connection", pinned without the
 * harness: undici's Pool drops a client whose connection failed (the fix for nodejs/undici #3895), but the client's
 * drain listener still hands it the Pool's queued requests; it connects again for them outside the Pool's list, and
 * `pool.close()` never closes it. If this test starts failing, undici has fixed it: update the README and the
 * `undici-pool` figures.
 */
const DB = 'foundbite';
let server: MockServer;
let authorization: string;
const connectionPlans: ConnectionPlan[] = [];

beforeAll(async () => {
  server = await startMockServer();
  const user = server.couch.accounts().find((account) => account.databases.includes(DB))!.users[0]!;
  authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
  server.setPlans({ planFor: () => ({ headerDelayMs: 20 }), connectionPlanFor: () => connectionPlans.shift() });
});
afterAll(async () => {
  await server?.close();
});

async function openAfterClose(refuseFirst: boolean): Promise<{ outcomes: string[]; open: number }> {
  if (refuseFirst) connectionPlans.push({ fault: { kind: 'connection-refused' }, faults: ['connection-refused'] });
  const pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
  // Three calls on a bound of two: the third waits in the Pool's queue when the first connection fails.
  const outcomes = await Promise.all(
    [1, 2, 3].map(async (limit) => {
      try {
        const response = await pool.request({ path: `/${DB}/_all_docs?limit=${limit}`, method: 'GET', headers: { authorization } });
        await response.body.text();
        return String(response.statusCode);
      } catch (error) {
        return (error as { code?: string }).code ?? 'error';
      }
    }),
  );
  await pool.close();
  const deadline = performance.now() + 1_000;
  while (server.openSockets() > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return { outcomes, open: server.openSockets() };
}

describe('undici Pool after a failed connection (undici 7.30.2)', () => {
  it('closes every socket when no connection fails (the control)', async () => {
    expect(await openAfterClose(false)).toEqual({ outcomes: ['200', '200', '200'], open: 0 });
  }, 10_000);

  it('leaves the socket of the dropped client open after close() when the first connection is refused', async () => {
    const { outcomes, open } = await openAfterClose(true);
    expect(outcomes).toEqual(['ECONNRESET', '200', '200']);
    expect(open, 'sockets still open 1 s after pool.close()').toBe(1);
  }, 10_000);
});
