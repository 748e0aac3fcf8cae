import { Agent } from 'undici';
import type { ClientFactory, ClientTraits } from '../contract.js';
import { REQUEST_ID_HEADER, headerText, requestShape } from '../request-shape.js';
import { withDeadline } from './deadline.js';
import { trustedContext } from './trust.js';

/**
 * Node's global `fetch` with an undici@7 `Agent` as its `dispatcher` (the only way to hand global fetch a CA).
 *
 * Node 20's fetch is the undici 6 bundled in Node, and it drives the dispatcher with undici 6's handler
 * (`onConnect`/`onHeaders`/`onData`/`onComplete`). That works with the undici@7 package because undici 7's
 * Dispatcher wraps such legacy handlers (`WrapHandler`/`UnwrapHandler`); the client tests prove it on the Node in
 * use. Should a Node version break the pairing, `import { fetch } from 'undici'` pairs fetch and Agent from one copy.
 */
export const fetchTraits: ClientTraits = { pipelining: 1, reuses: true, retriesIdempotent: false };

/** Node's types want the `Dispatcher` of their own undici-types copy, which the undici@7 package's type is not. */
type DispatcherInit = Omit<RequestInit, 'dispatcher'> & { dispatcher: Agent };

export const createFetchClient: ClientFactory = (options) => {
  const dispatcher = new Agent({ connections: options.connections, connect: { secureContext: trustedContext(options.ca) } });
  return {
    traits: { ...fetchTraits, maxSockets: options.connections },
    run: (operation) =>
      withDeadline(operation.signal, options.timeoutMs, async (signal) => {
        const shape = requestShape(operation);
        const init: DispatcherInit = {
          method: shape.method,
          headers: shape.headers,
          body: shape.body,
          signal,
          dispatcher,
          // One request, one response: a redirect followed silently would answer the caller from another request.
          redirect: 'manual',
        };
        const response = await fetch(new URL(shape.path, options.origin), init as unknown as RequestInit);
        try {
          const body = await response.text();
          return { status: response.status, requestId: headerText(response.headers.get(REQUEST_ID_HEADER)), body };
        } catch (error) {
          // Reading failed part-way: cancel so the connection is not left holding an unread body.
          await response.body?.cancel().catch(() => undefined);
          throw error;
        }
      }),
    close: () => dispatcher.close(),
  };
};
