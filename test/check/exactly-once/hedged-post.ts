/**
 * Bug modelled: hedged requests that ignore idempotency — the OkHttp #8472 class, where a request the server had
 * already answered was sent again, so a non-idempotent request ran twice. If no response has come ~2 ms after a
 * call starts, the same request (same X-Couch-Request-ID) is sent again through the pool — on another socket, as
 * the first is busy, unless it has to queue for one — and the first answer wins; POSTs included. The loser is left
 * to finish.
 *
 * Caught by: exactly-once (the server received and executed one request twice).
 */
import type { ClientFactory, Operation, OperationResult } from '../../../src/clients/contract.js';
import { MiniPool } from '../../support/mini-pool.js';

const HEDGE_AFTER_MS = 2;

class HedgedPool extends MiniPool {
  override async run(operation: Operation): Promise<OperationResult> {
    const first = super.run(operation);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), HEDGE_AFTER_MS);
    });
    const winner = await Promise.race([first, slow]).finally(() => clearTimeout(timer));
    if (winner !== 'slow') return winner;
    // The bug: the hedge does not ask whether the request may be sent twice.
    const hedge = super.run(operation);
    return Promise.any([first, hedge]).catch((error: AggregateError) => {
      throw error.errors[0];
    });
  }
}

export const createHedgedPostClient: ClientFactory = (options) => new HedgedPool(options);
