import nano from 'nano';
import { Agent } from 'undici';
import type { ClientFactory, ClientTraits, Operation, OperationResult } from '../contract.js';
import { REQUEST_ID_HEADER, basicAuthorization } from '../request-shape.js';
import { withDeadline } from './deadline.js';
import { PerOperationWire, newExchange } from './per-operation-wire.js';
import { trustedContext } from './trust.js';

/**
 * nano 11: ONE nano instance, configured without credentials, shared by every caller; it runs global fetch over an
 * undici `Agent` (its `agentOptions`), which carries the CA and the socket bound.
 *
 * nano cannot do two things the contract needs, so a thin interceptor on that Agent does them (see
 * `PerOperationWire`):
 * - per-request headers: `nano.request()`'s typings list `headers`, but `relax()` ignores them; the only headers are
 *   the instance-wide `config.headers`. The operation's Basic auth and X-Couch-Request-ID are added at dispatch.
 * - the response as received: nano resolves a 2xx with the body alone (raw bytes with `dontParse`), rejects any other
 *   status with an Error built from the parsed JSON, and never exposes response headers. Status, the response's
 *   X-Couch-Request-ID and a non-2xx body are taken from the wire; a 2xx body is the one nano returned.
 * - aborts: nano passes a `signal` to fetch, but a body that then fails leaves nano's promise pending forever with
 *   an unhandled rejection (see PerOperationWire), so the interceptor aborts the dispatch instead.
 * `db.list(qs)` is `relax({ db, path: '_all_docs', qs })`, so `request()` with the same arguments is the call nano
 * users make, plus the POST forms `db.list` lacks. nano itself never retries.
 */
export const nanoTraits: ClientTraits = { pipelining: 1, reuses: true, retriesIdempotent: false };

/** `relax()` options nano accepts but does not declare. No `signal`: the interceptor aborts (see PerOperationWire). */
type RelaxOptions = nano.RequestOptions & { dontParse: boolean };

export const createNanoClient: ClientFactory = (options) => {
  const agent = new Agent({ connections: options.connections, connect: { secureContext: trustedContext(options.ca) } });
  const wire = new PerOperationWire();
  // nano's typings want `typeof undici.Agent` (the class); at run time it passes the value to fetch as `dispatcher`.
  const agentOptions = agent.compose(wire.interceptor) as unknown as nano.Configuration['agentOptions'];
  const couch = nano({ url: options.origin, agentOptions });
  return {
    traits: { ...nanoTraits, maxSockets: options.connections },
    run: (operation) =>
      withDeadline(operation.signal, options.timeoutMs, async (signal): Promise<OperationResult> => {
        const exchange = newExchange(
          { authorization: basicAuthorization(operation.credentials), [REQUEST_ID_HEADER]: operation.requestId },
          signal,
        );
        let returned: unknown;
        let failure: unknown;
        try {
          returned = await wire.run(exchange, () => couch.request(relaxOptions(operation)));
        } catch (error) {
          failure = error;
        }
        if (exchange.status === null || !exchange.complete) {
          throw exchange.failure ?? failure ?? new Error('nano returned without a response');
        }
        const body = failure === undefined ? bodyText(returned) : Buffer.concat(exchange.chunks).toString('utf8');
        return { status: exchange.status, requestId: exchange.requestId, body };
      }),
    close: () => agent.close(),
  };
};

function relaxOptions(operation: Operation): RelaxOptions {
  const common = { db: operation.db, dontParse: true };
  if (operation.kind === 'get') return { ...common, path: '_all_docs', method: 'GET', qs: operation.params };
  if (operation.kind === 'post') return { ...common, path: '_all_docs', method: 'POST', body: operation.params };
  return { ...common, path: '_all_docs/queries', method: 'POST', body: { queries: operation.params.queries } };
}

/** With `dontParse` nano hands back a Buffer (a string for `text/*` content types). */
function bodyText(returned: unknown): string {
  if (Buffer.isBuffer(returned)) return returned.toString('utf8');
  if (typeof returned === 'string') return returned;
  throw new Error(`nano returned a ${typeof returned}, not the body bytes`);
}
