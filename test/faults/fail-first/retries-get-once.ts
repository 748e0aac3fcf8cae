/**
 * Not a bug: the control for fail-first. A correct retrying pool, as Go's Transport and the mini pool's policy
 * switches retry: a GET whose attempt failed without a response (a reset, a close before any byte) or got a 503 is
 * sent once more, on a fresh socket after a broken one; a POST never is. With a request that fails its first N
 * attempts it succeeds when N is 1 and returns the failure otherwise: bounded, idempotent only, on a fresh socket.
 */
import type { ClientFactory, Operation, OperationResult } from '../../../src/clients/contract.js';
import type { ClientOptions } from '../../../src/clients/contract.js';
import { MiniPool } from '../../support/mini-pool.js';

const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'MINI_POOL_SOCKET_CLOSED']);

class RetriesGetOncePool extends MiniPool {
  constructor(options: ClientOptions) {
    super(options);
    this.traits.retriesIdempotent = true;
  }

  override async run(operation: Operation): Promise<OperationResult> {
    if (operation.kind !== 'get') return super.run(operation);
    let first: OperationResult;
    try {
      first = await super.run(operation);
    } catch (error) {
      if (!BROKEN.has((error as { code?: string }).code ?? '') || operation.signal.aborted) throw error;
      // The broken socket was discarded: acquire() hands out another (idle or new).
      return super.run(operation);
    }
    return first.status === 503 ? super.run(operation) : first;
  }
}

export const createRetriesGetOnceClient: ClientFactory = (options) => new RetriesGetOncePool(options);
