import nano from 'nano';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientUnderTest, Operation } from '../../src/clients/contract.js';
import { createCloudantClient } from '../../src/clients/builtin/cloudant.js';
import { createNanoClient } from '../../src/clients/builtin/nano.js';
import { basicAuthorization } from '../../src/clients/request-shape.js';
import { type TinyCouch, startTinyCouch } from './support/tiny-couch.js';

/** Library behaviour the built-in adapters work around, pinned so that a library upgrade that changes it shows. */
describe('client library quirks', () => {
  let tiny: TinyCouch;
  beforeAll(async () => {
    tiny = await startTinyCouch();
  });
  afterAll(async () => {
    await tiny.close();
  });

  const operation = (requestId: string, extra: Partial<Operation> = {}): Operation => ({
    kind: 'get',
    db: 'foundbite',
    params: { limit: 2 },
    requestId,
    credentials: tiny.users[1] ?? { username: '', password: '' },
    signal: new AbortController().signal,
    ...extra,
  });

  const options = (): Parameters<typeof createNanoClient>[0] => ({
    origin: tiny.origin,
    ca: tiny.ca,
    connections: 2,
    timeoutMs: 5000,
  });

  it('nano 11 ignores the `headers` its request() typings accept, hence the per-operation interceptor', async () => {
    const agent = new Agent({ connect: { ca: tiny.ca } });
    const couch = nano({ url: tiny.origin, agentOptions: agent as unknown as nano.Configuration['agentOptions'] });
    const credentials = tiny.users[0] ?? { username: '', password: '' };
    const headers = { authorization: basicAuthorization(credentials), 'x-couch-request-id': 'quirk-nano-headers' };
    await expect(couch.request({ db: 'foundbite', path: '_all_docs', headers })).rejects.toMatchObject({ statusCode: 401 });
    const seen = tiny.requests.at(-1);
    expect(seen?.authorization).toBeNull();
    expect(seen?.requestId).not.toBe('quirk-nano-headers');
    await agent.close();
  });

  it('the nano client sends the operation headers anyway, and the raw body of a non-2xx', async () => {
    const client: ClientUnderTest = await createNanoClient(options());
    const ok = await client.run(operation('quirk-nano-ok'));
    expect(ok).toMatchObject({ status: 200, requestId: 'quirk-nano-ok' });
    expect(tiny.requests.at(-1)?.authorization).toBe(basicAuthorization(tiny.users[1] ?? { username: '', password: '' }));
    const missing = await client.run(operation('quirk-nano-404', { db: 'missing' }));
    expect(missing.body).toBe('{"error":"not_found","reason":"Database does not exist."}\n');
    await client.close();
  });

  it('the Cloudant SDK POSTs every kind, gzips the body, and drops parameters it has no field for', async () => {
    const client: ClientUnderTest = await createCloudantClient(options());
    const result = await client.run(
      operation('quirk-cloudant', { params: { startkey: 'a', startkey_docid: 'doc-1', stable: true, limit: 1 } }),
    );
    expect(result.status).toBe(200);
    const seen = tiny.requests.find((request) => request.requestId === 'quirk-cloudant');
    expect(seen).toMatchObject({ method: 'POST', query: '', contentEncoding: 'gzip' });
    expect(JSON.parse(seen?.body ?? '')).toEqual({ start_key: 'a', limit: 1 });
    await client.close();
  });
});
