import { Pool } from 'undici';
import type { ClientFactory, ClientTraits } from '../contract.js';
import { requestShape } from '../request-shape.js';
import { withDeadline } from './deadline.js';
import { readUndiciResponse } from './undici-result.js';
import { trustedContext } from './trust.js';

/**
 * The default: one undici `Pool` for the origin. A Pool never retries on its own (retrying is `RetryAgent`'s job),
 * and pipelining stays at undici's default of 1.
 */
export const undiciPoolTraits: ClientTraits = { pipelining: 1, reuses: true, retriesIdempotent: false };

export const createUndiciPoolClient: ClientFactory = (options) => {
  const pool = new Pool(options.origin, { connections: options.connections, connect: { secureContext: trustedContext(options.ca) } });
  return {
    traits: { ...undiciPoolTraits, maxSockets: options.connections },
    run: (operation) =>
      withDeadline(operation.signal, options.timeoutMs, async (signal) => {
        const shape = requestShape(operation);
        const response = await pool.request({
          path: shape.path,
          method: shape.method,
          headers: shape.headers,
          body: shape.body,
          signal,
        });
        return readUndiciResponse(response);
      }),
    // Graceful: waits for in-flight requests (each bounded by its deadline), then closes every socket.
    close: () => pool.close(),
  };
};
