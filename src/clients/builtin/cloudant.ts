import https from 'node:https';
import { CloudantV1 } from '@ibm-cloud/cloudant';
import type { AxiosResponseTransformer } from 'axios';
import { NoAuthAuthenticator } from 'ibm-cloud-sdk-core';
import type { ClientFactory, ClientTraits, Operation, OperationResult } from '../contract.js';
import { REQUEST_ID_HEADER, basicAuthorization, headerText } from '../request-shape.js';
import { withDeadline } from './deadline.js';
import { trustedContext } from './trust.js';

/**
 * @ibm-cloud/cloudant: ONE `CloudantV1` (axios underneath, via ibm-cloud-sdk-core) shared by every caller.
 *
 * - Credentials: one service has one authenticator, but callers are different tenants, so the service gets a
 *   `NoAuthAuthenticator` and each call sends its own Basic `Authorization` through the SDK's per-call `headers`.
 * - CA and socket bound: the SDK hands `httpsAgent` to axios, so a keep-alive `https.Agent` with the CA and
 *   `maxSockets: connections` is the pool under test. `timeout` replaces the SDK's 150 s default.
 * - Every kind POSTs: the SDK has only `postAllDocs` (for `get` and `post`) and `postAllDocsQueries`. It takes the
 *   typed parameters below, in camelCase; any other parameter is dropped. It also gzips request bodies
 *   (`Content-Encoding: gzip`, on by default in CloudantV1).
 * - The body as received: the SDK parses JSON and throws on any non-2xx, so a response transformer put in front of
 *   axios's own records status, X-Couch-Request-ID and the body text per request, keyed by the request's own
 *   AbortSignal (one per operation), before anything parses it. axios has decoded the bytes as UTF-8 and stripped a
 *   leading BOM by then.
 * - Retries (`enableRetries`) stay off, as the SDK ships.
 */
export const cloudantTraits: ClientTraits = { pipelining: 1, reuses: true, retriesIdempotent: false };

const SDK_PARAMETER: Readonly<Record<string, string>> = {
  att_encoding_info: 'attEncodingInfo',
  attachments: 'attachments',
  conflicts: 'conflicts',
  descending: 'descending',
  include_docs: 'includeDocs',
  inclusive_end: 'inclusiveEnd',
  limit: 'limit',
  skip: 'skip',
  update_seq: 'updateSeq',
  key: 'key',
  keys: 'keys',
  startkey: 'startKey',
  start_key: 'startKey',
  endkey: 'endKey',
  end_key: 'endKey',
};

export const createCloudantClient: ClientFactory = (options) => {
  const agent = new https.Agent({ keepAlive: true, maxSockets: options.connections, secureContext: trustedContext(options.ca) });
  const service = new CloudantV1({
    authenticator: new NoAuthAuthenticator(),
    serviceUrl: options.origin,
    httpsAgent: agent,
    timeout: options.timeoutMs,
  });
  const received = new WeakMap<object, OperationResult>();
  const record: AxiosResponseTransformer = function (data: unknown, headers, status) {
    if (this.signal !== undefined && status !== undefined) {
      const body = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : '';
      received.set(this.signal, { status, requestId: headerText(headers[REQUEST_ID_HEADER]), body });
    }
    return data;
  };
  const http = service.getHttpClient();
  const own = http.defaults.transformResponse ?? [];
  http.defaults.transformResponse = [record, ...(Array.isArray(own) ? own : [own])];
  return {
    traits: { ...cloudantTraits, maxSockets: options.connections },
    run: (operation) =>
      withDeadline(operation.signal, options.timeoutMs, async (signal) => {
        let failure: unknown;
        try {
          await call(service, operation, signal);
        } catch (error) {
          // The SDK rejects on every non-2xx; only a missing response is a failure.
          failure = error;
        }
        const result = received.get(signal);
        if (result === undefined) throw failure ?? new Error('the Cloudant SDK returned without a response');
        return result;
      }),
    close: async () => agent.destroy(),
  };
};

function call(service: CloudantV1, operation: Operation, signal: AbortSignal): Promise<unknown> {
  const common = {
    db: operation.db,
    signal,
    headers: { Authorization: basicAuthorization(operation.credentials), [REQUEST_ID_HEADER]: operation.requestId },
  };
  if (operation.kind === 'queries') {
    const queries = Array.isArray(operation.params.queries) ? operation.params.queries : [];
    return service.postAllDocsQueries({ ...common, queries: queries.map(sdkParameters) });
  }
  return service.postAllDocs({ ...common, ...sdkParameters(operation.params) });
}

/** CouchDB's parameter names to the SDK's; the values go as they are (the SDK does not check them). */
function sdkParameters(params: unknown): CloudantV1.AllDocsQuery {
  const sdk: Record<string, unknown> = {};
  if (typeof params === 'object' && params !== null) {
    for (const [name, value] of Object.entries(params)) {
      const sdkName = SDK_PARAMETER[name];
      if (sdkName !== undefined) sdk[sdkName] = value;
    }
  }
  return sdk as CloudantV1.AllDocsQuery;
}
