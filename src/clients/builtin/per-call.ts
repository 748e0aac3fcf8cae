import { Client } from 'undici';
import type { ClientFactory, ClientTraits, OperationResult } from '../contract.js';
import { requestShape } from '../request-shape.js';
import { withDeadline } from './deadline.js';
import { readUndiciResponse } from './undici-result.js';
import { trustedContext } from './trust.js';

/**
 * The anti-pattern crosstalk's seed started from: a new undici `Client` (one socket, one TLS handshake) for every
 * operation, closed after it. Safe to share, since nothing is shared, but it never reuses a socket and holds as many
 * as there are callers in flight.
 */
export const perCallTraits: ClientTraits = { maxSockets: null, reuses: false, pipelining: 1, retriesIdempotent: false };

export const createPerCallClient: ClientFactory = (options) => {
  const live = new Set<Client>();
  return {
    traits: perCallTraits,
    run: (operation) =>
      withDeadline(operation.signal, options.timeoutMs, async (signal): Promise<OperationResult> => {
        const client = new Client(options.origin, { connect: { secureContext: trustedContext(options.ca) } });
        live.add(client);
        let settled = false;
        try {
          const shape = requestShape(operation);
          const response = await client.request({
            path: shape.path,
            method: shape.method,
            headers: shape.headers,
            body: shape.body,
            signal,
          });
          const result = await readUndiciResponse(response);
          settled = true;
          return result;
        } finally {
          live.delete(client);
          // After a full response the socket is idle and closes cleanly; after a failure it may be mid-response.
          await (settled ? client.close() : client.destroy());
        }
      }),
    // Every client closes itself when its operation settles; this only catches any still in flight.
    close: async () => {
      await Promise.all([...live].map((client) => client.destroy()));
    },
  };
};
