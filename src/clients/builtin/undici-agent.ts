import { Agent, request } from 'undici';
import type { ClientFactory, ClientTraits } from '../contract.js';
import { requestShape } from '../request-shape.js';
import { withDeadline } from './deadline.js';
import { readUndiciResponse } from './undici-result.js';
import { trustedContext } from './trust.js';

/**
 * An undici `Agent` (which builds one Pool per origin, `connections` sockets each) used through the top-level
 * `request(url, { dispatcher })`: the usual way an application shares undici without naming an origin up front.
 */
export const undiciAgentTraits: ClientTraits = { pipelining: 1, reuses: true, retriesIdempotent: false };

export const createUndiciAgentClient: ClientFactory = (options) => {
  const agent = new Agent({ connections: options.connections, connect: { secureContext: trustedContext(options.ca) } });
  return {
    traits: { ...undiciAgentTraits, maxSockets: options.connections },
    run: (operation) =>
      withDeadline(operation.signal, options.timeoutMs, async (signal) => {
        const shape = requestShape(operation);
        const response = await request(new URL(shape.path, options.origin), {
          dispatcher: agent,
          method: shape.method,
          headers: shape.headers,
          body: shape.body,
          signal,
        });
        return readUndiciResponse(response);
      }),
    close: () => agent.close(),
  };
};
