import type { ClientOptions, Operation } from '../../src/clients/contract.js';
import type { MockServer } from '../../src/server/index.js';

/**
 * For wire-level tests that drive one client by hand: a POST `_all_docs` operation with a given request id, as the
 * first tenant, and the options for a one-socket client against `server`.
 */
export function wireOperations(server: MockServer): { op: (requestId: string) => Operation; options: ClientOptions } {
  const [account] = server.couch.accounts();
  const credentials = { username: account!.users[0]!.name, password: account!.users[0]!.password };
  return {
    op: (requestId) => ({
      kind: 'post',
      db: account!.databases[0]!,
      params: { limit: 1 },
      requestId,
      credentials,
      signal: new AbortController().signal,
    }),
    options: { origin: server.origin, ca: server.ca, connections: 1, timeoutMs: 2000 },
  };
}
