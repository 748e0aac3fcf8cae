/**
 * Bug modelled: the bound is not a bound — urllib3 with `block=False` (a new connection whenever the pool is empty,
 * requests #3825) and undici #3268 (Pool `connections` unlimited by default). When every socket is busy the pool
 * opens another one instead of queueing the call, while still declaring `maxSockets: connections`.
 *
 * Caught by: pool-bound (more sockets carry requests at once than the configured bound).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import { MiniPool } from '../../support/mini-pool.js';

class UnboundedPool extends MiniPool {
  // The bug: opening is always allowed, so `acquire` never reaches the queue.
  protected override mayOpen(): boolean {
    return true;
  }
}

export const createUnboundedPoolClient: ClientFactory = (options) => new UnboundedPool(options);
