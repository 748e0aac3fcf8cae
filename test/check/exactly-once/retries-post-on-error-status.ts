/**
 * Bug modelled: a retry layer that resends any request answered with an error status, without asking whether the
 * request is idempotent (Go net/http #22158 and #19943 retry only idempotent requests for this reason; OkHttp
 * #8472 resent a request the server had already executed). A POST answered 403/404/5xx reaches the server twice.
 *
 * Caught by: exactly-once (the server received and executed a POST twice).
 */
import type { ClientFactory, Operation, OperationResult } from '../../../src/clients/contract.js';
import { MiniPool } from '../../support/mini-pool.js';

class RetriesOnErrorStatusPool extends MiniPool {
  override async run(operation: Operation): Promise<OperationResult> {
    const first = await super.run(operation);
    if (first.status < 400) return first;
    // The bug: retried whatever the method.
    return super.run(operation);
  }
}

export const createRetriesPostOnErrorStatusClient: ClientFactory = (options) => new RetriesOnErrorStatusPool(options);
