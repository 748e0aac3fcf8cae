/**
 * Bug modelled: retrying after a reset without asking whether the request may run twice — OkHttp #8472 (a request
 * retried on a new connection although the server had already got it: a non-idempotent request executed twice) and
 * the rule Go net/http keeps for this reason (#22158, #19943: after a failure on a reused connection only idempotent
 * requests are retried). When a request on a reused socket fails with ECONNRESET or the socket's close (node's
 * "socket hang up"), it is sent again on another socket, whatever the method.
 *
 * Caught by: exactly-once (the server received and executed a POST twice).
 */
import type { ClientFactory, OperationResult } from '../../../src/clients/contract.js';
import type { RequestShape } from '../../../src/clients/request-shape.js';
import type { MiniConnection } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'MINI_POOL_SOCKET_CLOSED']);

class RetriesAfterResetPool extends MiniPool {
  protected override async exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OperationResult> {
    try {
      return await super.exchange(connection, shape, headers, signal);
    } catch (error) {
      const reused = connection.requestsWritten > 1;
      const lost = CONNECTION_LOST.has((error as NodeJS.ErrnoException).code ?? '');
      if (!reused || !lost || signal.aborted) throw error;
      // The bug: the stale-socket retry does not look at the method.
      return super.exchange(await this.acquire(signal), shape, headers, signal);
    }
  }
}

export const createRetriesPostAfterResetClient: ClientFactory = (options) => new RetriesAfterResetPool(options);
