import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { text } from 'node:stream/consumers';
import type { ClientFactory, ClientTraits } from '../contract.js';
import { REQUEST_ID_HEADER, headerText, requestShape } from '../request-shape.js';
import { withDeadline } from './deadline.js';
import { trustedContext } from './trust.js';

/**
 * `node:https` with one keep-alive `Agent` bounded to `connections` sockets. Node's http client never retries a
 * request by itself.
 */
export const nodeHttpsTraits: ClientTraits = { pipelining: 1, reuses: true, retriesIdempotent: false };

export const createNodeHttpsClient: ClientFactory = (options) => {
  const agent = new https.Agent({ keepAlive: true, maxSockets: options.connections, secureContext: trustedContext(options.ca) });
  return {
    traits: { ...nodeHttpsTraits, maxSockets: options.connections },
    run: (operation) =>
      withDeadline(operation.signal, options.timeoutMs, async (signal) => {
        const shape = requestShape(operation);
        const headers: Record<string, string> = { ...shape.headers };
        if (shape.body !== null) headers['content-length'] = String(Buffer.byteLength(shape.body));
        const response = await new Promise<IncomingMessage>((resolve, reject) => {
          const request = https.request(new URL(shape.path, options.origin), {
            method: shape.method,
            headers,
            agent,
            signal,
          });
          // Stays attached after the response too: an error mid-body must not become an uncaught 'error' event.
          request.on('error', reject);
          request.on('response', resolve);
          request.end(shape.body ?? undefined);
        });
        try {
          // `text` rejects when the response is cut short (abort, reset), so a partial body is never returned.
          const body = await text(response);
          return { status: response.statusCode ?? 0, requestId: headerText(response.headers[REQUEST_ID_HEADER]), body };
        } catch (error) {
          response.destroy();
          throw error;
        }
      }),
    // Destroys pooled and in-use sockets alike; node's Agent has no graceful close.
    close: async () => agent.destroy(),
  };
};
