import { Agent as HttpsAgent } from 'node:https';
import { BasicAuthenticator } from 'ibm-cloud-sdk-core';
import { CloudantV1, CouchdbSessionAuthenticator } from '@ibm-cloud/cloudant';
import nano from 'nano';
import { Agent, Pool, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/server/index.js';

// Real clients against the real couch layer and fixtures, with the mock's CA and verification on.
let server: MockServer;
let user: { name: string; password: string };
const DB = 'foundbite';

beforeAll(async () => {
  server = await startMockServer();
  const account = server.couch.accounts().find((candidate) => candidate.databases.includes(DB))!;
  user = account.users[0]!;
});
afterAll(() => server.close());

function basicHeader(): string {
  return `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
}

function recorded(requestId: string) {
  return server.recorder.snapshot().requests.find((request) => request.requestId === requestId);
}

describe('real clients, unchanged', () => {
  it('undici Pool + request', async () => {
    const pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
    const response = await pool.request({
      path: `/${DB}/_all_docs?limit=5`,
      method: 'GET',
      headers: { authorization: basicHeader(), 'x-couch-request-id': 'undici-pool-1' },
    });
    const body = (await response.body.json()) as { rows: unknown[]; total_rows: number };
    await pool.close();
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-couch-request-id']).toBe('undici-pool-1');
    expect(body.rows).toHaveLength(5);
    expect(recorded('undici-pool-1')).toMatchObject({ identity: user.name, outcome: 'complete' });
  });

  it("global fetch with the undici package's Agent as dispatcher", async () => {
    const dispatcher = new Agent({ connect: { ca: server.ca } });
    try {
      const response = await fetch(`${server.origin}/${DB}/_all_docs?limit=2`, {
        headers: { authorization: basicHeader(), 'x-couch-request-id': 'global-fetch-1' },
        // Node 20's fetch is its own bundled undici; it accepts an undici@7 Agent through this (untyped) option.
        ...({ dispatcher } as object),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { rows: unknown[] }).rows).toHaveLength(2);
      expect(recorded('global-fetch-1')).toBeDefined();
    } finally {
      await dispatcher.close();
    }
  });

  it("undici's own fetch with an Agent", async () => {
    const dispatcher = new Agent({ connect: { ca: server.ca } });
    try {
      const response = await undiciFetch(`${server.origin}/${DB}/_all_docs?limit=1`, {
        dispatcher,
        headers: { authorization: basicHeader() },
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { rows: unknown[] }).rows).toHaveLength(1);
    } finally {
      await dispatcher.close();
    }
  });

  it('nano 11: db.list, db.fetch, cookie auth', async () => {
    const dispatcher = new Agent({ connect: { ca: server.ca } });
    try {
      // nano's types say `typeof undici.Agent` (the class); at run time it passes the value to fetch as the dispatcher.
      const couch = nano({ url: server.origin, agentOptions: dispatcher as unknown as typeof Agent });
      const session = await couch.auth(user.name, user.password);
      expect(session).toMatchObject({ ok: true, name: user.name });
      const db = couch.use(DB);
      const list = await db.list({ limit: 3 });
      expect(list.rows).toHaveLength(3);
      const ids = list.rows.map((row) => row.id);
      const fetched = await db.fetch({ keys: ids });
      expect(fetched.rows.map((row) => ('id' in row ? row.id : null))).toEqual(ids);
      // Authenticated by the session cookie, not by Basic: the recorder saw the user through the cookie.
      const viaCookie = server.recorder.snapshot().requests.filter((request) => request.path === `/${DB}/_all_docs`);
      expect(viaCookie.at(-1)).toMatchObject({ identity: user.name, method: 'POST' });
    } finally {
      await dispatcher.close();
    }
  });

  async function cloudantRoundTrip(service: CloudantV1, agent: HttpsAgent): Promise<void> {
    try {
      const all = await service.postAllDocs({ db: DB, limit: 4 });
      expect(all.status).toBe(200);
      expect(all.result.rows).toHaveLength(4);
      const queries = await service.postAllDocsQueries({ db: DB, queries: [{ limit: 1 }, { limit: 2, skip: 1 }] });
      expect(queries.result.results.map((result) => result.rows.length)).toEqual([1, 2]);
    } finally {
      agent.destroy();
    }
  }

  it('@ibm-cloud/cloudant with BasicAuthenticator (CA through httpsAgent)', async () => {
    const agent = new HttpsAgent({ ca: server.ca, keepAlive: true });
    const service = new CloudantV1({
      authenticator: new BasicAuthenticator({ username: user.name, password: user.password }),
      serviceUrl: server.origin,
      httpsAgent: agent,
    });
    await cloudantRoundTrip(service, agent);
  });

  it('@ibm-cloud/cloudant with CouchdbSessionAuthenticator', async () => {
    const mark = server.recorder.mark();
    const agent = new HttpsAgent({ ca: server.ca, keepAlive: true });
    const service = new CloudantV1({
      authenticator: new CouchdbSessionAuthenticator({ username: user.name, password: user.password }),
      serviceUrl: server.origin,
      httpsAgent: agent,
    });
    await cloudantRoundTrip(service, agent);
    const requests = server.recorder.since(mark).requests;
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/_session', status: 200 });
    expect(requests.slice(1).every((request) => request.identity === user.name)).toBe(true);
  });
});
