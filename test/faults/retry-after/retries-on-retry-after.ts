/**
 * Bug modelled: a retry layer that honours `Retry-After` by resending whatever request got the 429 or 503, POSTs
 * included, instead of returning the answer to its caller (the non-idempotent retry of OkHttp #8472; Go net/http
 * retries only idempotent requests, #22158). It waits as long as the server asks, up to a quarter of its own timeout
 * (longer waits are returned to the caller).
 *
 * Caught by: exactly-once (the server received and executed a POST twice).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ClientFactory, Operation, OperationResult } from '../../../src/clients/contract.js';
import type { RawResponse } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class RetriesOnRetryAfterPool extends MiniPool {
  /** The wait each throttled result asked for, in ms. */
  private readonly retryAfterMs = new WeakMap<OperationResult, number>();

  protected override resultOf(response: RawResponse): OperationResult {
    const result = super.resultOf(response);
    const seconds = Number(response.head.headers.get('retry-after')?.[0]);
    if ((result.status === 429 || result.status === 503) && Number.isFinite(seconds)) {
      this.retryAfterMs.set(result, seconds * 1000);
    }
    return result;
  }

  override async run(operation: Operation): Promise<OperationResult> {
    const first = await super.run(operation);
    const waitMs = this.retryAfterMs.get(first);
    if (waitMs === undefined || waitMs > this.options.timeoutMs / 4) return first;
    await delay(waitMs, undefined, { signal: operation.signal });
    // The bug: resent whatever the method.
    return super.run(operation);
  }
}

export const createRetriesOnRetryAfterClient: ClientFactory = (options) => new RetriesOnRetryAfterPool(options);
