/**
 * Bug modelled: aiohttp #7864 (3.9.0) — a request that timed out put its connection back in the pool while its
 * response was still on the way. Here a caller's abort rejects the call but the socket goes back to the idle list
 * instead of being destroyed; the late reply, when it comes, is read as the response of whoever uses the socket next.
 *
 * Caught by: no-cross-talk (a caller receives the reply to the request an earlier caller gave up on). pool-bound
 * sees it too, and first when shrunk: the server has two requests in flight on the socket, as if pipelined.
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { MiniConnection } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class ReturnsSocketOnAbortPool extends MiniPool {
  protected override afterFailure(connection: MiniConnection, error: unknown, signal: AbortSignal): void {
    if (!signal.aborted || !connection.reusable) {
      super.afterFailure(connection, error, signal);
      return;
    }
    // The bug: an aborted call's socket is treated as free, its reply still owed to nobody.
    this.idle.push(connection);
    this.drain();
  }
}

export const createReturnsSocketOnAbortClient: ClientFactory = (options) => new ReturnsSocketOnAbortPool(options);
