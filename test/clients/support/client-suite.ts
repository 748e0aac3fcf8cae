import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientOptions, ClientUnderTest, Operation } from '../../../src/clients/contract.js';
import { BUILTIN_CLIENT_NAMES, loadClient } from '../../../src/clients/registry.js';
import { basicAuthorization } from '../../../src/clients/request-shape.js';
import { type CouchTarget, type Served, maxConcurrentSockets } from './couch-target.js';
import { eventually } from './eventually.js';
import { expectedParams, receivedParams } from './received-params.js';
import { digest } from './tiny-couch.js';

const KINDS: Operation['kind'][] = ['get', 'post', 'queries'];

function paramsFor(kind: Operation['kind'], index: number): Record<string, unknown> {
  if (kind === 'get') return { limit: 1 + (index % 4), startkey: 'doc-', include_docs: index % 2 === 0 };
  if (kind === 'post') return { keys: ['doc-0001', `doc-00${10 + index}`], include_docs: true };
  return { queries: [{ limit: 1 + (index % 3), descending: true }, { keys: ['doc-0002', 'missing'] }] };
}

/**
 * The contract, checked for every built-in client against one kind of server. `skip` names clients the server
 * cannot serve yet, with the reason (shown in the test title).
 */
export function clientSuite(
  targetLabel: string,
  startTarget: () => Promise<CouchTarget>,
  skip: Partial<Record<string, string>> = {},
): void {
  for (const [clientName, reason] of Object.entries(skip)) {
    describe.skip(`${clientName} against ${targetLabel}`, () => it(`skipped: ${reason ?? ''}`, () => undefined));
  }
  const clientNames = BUILTIN_CLIENT_NAMES.filter((name) => skip[name] === undefined);
  describe.each(clientNames)(`%s against ${targetLabel}`, (clientName) => {
    let target: CouchTarget;
    const open: ClientUnderTest[] = [];
    let sequence = 0;

    beforeAll(async () => {
      target = await startTarget();
    });
    afterAll(async () => {
      await target?.close();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((client) => client.close().catch(() => undefined)));
    });

    async function newClient(overrides: Partial<ClientOptions> = {}): Promise<ClientUnderTest> {
      const { factory } = await loadClient(clientName);
      const client = await factory({ origin: target.origin, ca: target.ca, connections: 2, timeoutMs: 5000, ...overrides });
      open.push(client);
      return client;
    }

    function operation(kind: Operation['kind'], extra: Partial<Operation> & { idPrefix?: string } = {}): Operation {
      sequence += 1;
      const { idPrefix = 'op', ...rest } = extra;
      const tenant = target.tenants[sequence % target.tenants.length] as CouchTarget['tenants'][number];
      return {
        kind,
        db: tenant.db,
        params: paramsFor(kind, sequence),
        requestId: `${idPrefix}-${clientName}-${sequence}`,
        credentials: tenant.credentials,
        signal: new AbortController().signal,
        ...rest,
      };
    }

    const served = (requestId: string): Promise<Served> =>
      eventually(() => target.served(requestId), `the server's record of ${requestId}`);

    it.each(KINDS)('answers a %s operation with its status, echoed id and exact body', async (kind) => {
      const client = await newClient();
      const op = operation(kind);
      const result = await client.run(op);
      expect(result.status).toBe(200);
      expect(result.requestId).toBe(op.requestId);
      const record = await served(op.requestId);
      expect(record.bodyDigest).toBe(digest(result.body));
      expect(record.identity).toBe(op.credentials.username);
      if (record.authorization !== undefined) expect(record.authorization).toBe(basicAuthorization(op.credentials));
      // The Cloudant SDK has only POST forms of _all_docs.
      expect(record.method).toBe(kind === 'get' && clientName !== 'cloudant' ? 'GET' : 'POST');
      expect(record.path).toBe(`/${op.db}/_all_docs${kind === 'queries' ? '/queries' : ''}`);
      if (record.body !== undefined || record.method === 'GET') {
        expect(receivedParams(record, kind)).toEqual(expectedParams(op));
      }
      const parsed = JSON.parse(result.body) as Record<string, unknown>;
      expect(parsed).toHaveProperty(kind === 'queries' ? 'results' : 'rows');
    });

    it('keeps 20 concurrent operations through one shared instance apart', async () => {
      const since = performance.now();
      const client = await newClient({ connections: 2 });
      const ops = Array.from({ length: 20 }, (_, index) => operation(KINDS[index % 3] as Operation['kind']));
      const results = await Promise.all(ops.map((op) => client.run(op)));
      for (const [index, op] of ops.entries()) {
        const result = results[index];
        expect(result?.status).toBe(200);
        expect(result?.requestId).toBe(op.requestId);
        const record = await served(op.requestId);
        expect(record.identity).toBe(op.credentials.username);
        expect(record.bodyDigest).toBe(digest(result?.body ?? ''));
      }
      const sockets = await target.sockets();
      const accepted = sockets.filter((socket) => socket.acceptedAt >= since).length;
      const bound = client.traits?.maxSockets === undefined ? 2 : client.traits.maxSockets;
      if (bound !== null) expect(maxConcurrentSockets(sockets, since)).toBeLessThanOrEqual(bound);
      if (client.traits?.reuses === false) expect(accepted).toBe(20);
      else expect(accepted).toBeLessThanOrEqual(2);
    });

    it('returns a non-2xx response rather than throwing', async () => {
      const client = await newClient();
      const missing = operation('get', { db: target.missingDb });
      const missingResult = await client.run(missing);
      expect(missingResult.status).toBe(404);
      expect(missingResult.requestId).toBe(missing.requestId);
      expect((await served(missing.requestId)).bodyDigest).toBe(digest(missingResult.body));
      const { username } = (target.tenants[0] as CouchTarget['tenants'][number]).credentials;
      const wrong = operation('post', { credentials: { username, password: 'not-the-password' } });
      const wrongResult = await client.run(wrong);
      expect(wrongResult.status).toBe(401);
      expect(wrongResult.requestId).toBe(wrong.requestId);
      expect(JSON.parse(wrongResult.body)).toMatchObject({ error: 'unauthorized' });
    });

    it('rejects when the caller has already aborted, and stays usable', async () => {
      const client = await newClient();
      const controller = new AbortController();
      controller.abort(new Error('caller gave up'));
      await expect(client.run(operation('get', { signal: controller.signal }))).rejects.toBeDefined();
      expect((await client.run(operation('get'))).status).toBe(200);
    });

    it('rejects when the caller aborts in flight, and stays usable', async () => {
      const client = await newClient();
      const controller = new AbortController();
      const op = operation('get', { signal: controller.signal, idPrefix: 'hang' });
      const started = performance.now();
      const pending = client.run(op);
      await eventually(() => target.arrived(op.requestId), `${op.requestId} to reach the server`);
      controller.abort(new Error('caller gave up'));
      await expect(pending).rejects.toBeDefined();
      expect(performance.now() - started).toBeLessThan(3000);
      expect((await client.run(operation('post'))).status).toBe(200);
    });

    it('rejects when the caller aborts mid-body, without an unhandled rejection, and stays usable', async () => {
      const client = await newClient();
      const controller = new AbortController();
      const op = operation('get', { signal: controller.signal, idPrefix: 'stall' });
      const pending = client.run(op);
      await eventually(() => target.arrived(op.requestId), `${op.requestId} to reach the server`);
      // Long enough on localhost for the headers and the first body bytes to reach the client.
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort(new Error('caller gave up'));
      await expect(pending).rejects.toBeDefined();
      expect((await client.run(operation('get'))).status).toBe(200);
    });

    it('applies its own per-operation timeout', async () => {
      const client = await newClient({ timeoutMs: 300 });
      const started = performance.now();
      await expect(client.run(operation('get', { idPrefix: 'hang' }))).rejects.toBeDefined();
      expect(performance.now() - started).toBeLessThan(3000);
      expect((await client.run(operation('queries'))).status).toBe(200);
    });

    it('rejects a response cut off mid-body, and stays usable', async () => {
      const client = await newClient();
      await expect(client.run(operation('get', { idPrefix: 'cut' }))).rejects.toBeDefined();
      expect((await client.run(operation('get'))).status).toBe(200);
    });

    it('close() leaves no socket open at the server', async () => {
      const since = performance.now();
      const client = await newClient();
      await Promise.all(KINDS.map((kind) => client.run(operation(kind))));
      await client.close();
      await eventually(async () => {
        const sockets = (await target.sockets()).filter((socket) => socket.acceptedAt >= since);
        return sockets.length > 0 && sockets.every((socket) => socket.endedAt !== null);
      }, 'every socket the client opened to close');
    });
  });
}
