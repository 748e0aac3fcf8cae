import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { basicAuthorization } from '../../../src/clients/request-shape.js';
import type { RequestRecord } from '../../../src/history/records.js';
import { type Couch, type MockServer, startMockServer } from '../../../src/server/index.js';
import type { CouchTarget } from './couch-target.js';

/**
 * The real mock as a `CouchTarget`: each account's first user and first database are the tenants, and response
 * plans make `hang-*` wait a minute for its headers, `cut-*` reset its socket 20 bytes into the body and `stall-*`
 * wait a minute after 20 body bytes. `couch`
 * replaces the mock's own CouchDB layer (the stand-in, while that layer is being written).
 */
export async function startMockTarget(couch?: Couch): Promise<CouchTarget> {
  const server: MockServer = await startMockServer({
    ...(couch === undefined ? {} : { couch }),
    plans: {
      planFor: (requestId) => {
        if (requestId?.startsWith('hang-')) return { headerDelayMs: 60_000, faults: ['test:hang'] };
        if (requestId?.startsWith('cut-')) return { splitAt: [20], resetAtByte: 20, faults: ['test:cut'] };
        if (requestId?.startsWith('stall-')) return { splitAt: [20], dripMs: 60_000, faults: ['test:stall'] };
        return undefined;
      },
    },
  });
  const tenants = server.couch.accounts().flatMap((account) => {
    const user = account.users[0];
    const db = account.databases[0];
    return user === undefined || db === undefined ? [] : [{ credentials: { username: user.name, password: user.password }, db }];
  });
  const record = (requestId: string): RequestRecord | undefined =>
    server.recorder.snapshot().requests.find((request) => request.requestId === requestId);
  return {
    origin: server.origin,
    ca: server.ca,
    tenants,
    missingDb: 'no-such-database',
    arrived: async (requestId) => record(requestId) !== undefined,
    served: async (requestId) => {
      const seen = record(requestId);
      if (seen?.outcome !== 'complete') return undefined;
      return { identity: seen.identity, status: seen.status, bodyDigest: seen.bodyDigest, method: seen.method, path: seen.path, query: seen.query };
    },
    sockets: async () => server.recorder.snapshot().sockets.map(({ acceptedAt, endedAt }) => ({ acceptedAt, endedAt })),
    close: () => server.close(),
  };
}

export interface MockReadiness {
  /** The mock can serve: while its couch layer was being written, starting it threw. */
  serves: boolean;
  /**
   * It inflates a `Content-Encoding: gzip` request body, as CouchDB's `chttpd:maybe_decompress` does. The Cloudant
   * SDK gzips every body, so without this the cloudant client only ever gets 400 "invalid UTF-8 JSON".
   */
  inflatesGzip: boolean;
}

export async function mockReadiness(): Promise<MockReadiness> {
  let target: CouchTarget | undefined;
  try {
    target = await startMockTarget();
    const tenant = target.tenants[0];
    if (target.tenants.length < 2 || tenant === undefined) return { serves: false, inflatesGzip: false };
    const dispatcher = new Agent({ connect: { ca: target.ca } });
    const response = await request(`${target.origin}/${tenant.db}/_all_docs`, {
      dispatcher,
      method: 'POST',
      headers: {
        authorization: basicAuthorization(tenant.credentials),
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync('{"limit":1}'),
    });
    await response.body.dump();
    await dispatcher.close();
    return { serves: true, inflatesGzip: response.statusCode === 200 };
  } catch {
    return { serves: false, inflatesGzip: false };
  } finally {
    await target?.close();
  }
}
