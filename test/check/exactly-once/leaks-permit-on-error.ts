/**
 * Bug modelled: urllib3 #644 (fixed by PR #647) — a connection whose request went wrong was never put back, so a
 * blocking pool lost a slot for every failure until callers waited forever. Here any non-2xx response keeps its
 * socket's permit: the socket is neither idle nor closed, and still counts against the bound. After `connections`
 * error responses every later call waits for a socket that never comes (the pool's timeout covers the exchange,
 * not the queue, as urllib3's does).
 *
 * Caught by: exactly-once (a call never ends: the hang is reported against the harness's own deadline).
 */
import type { ClientFactory, OperationResult } from '../../../src/clients/contract.js';
import type { MiniConnection } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class LeaksPermitOnErrorPool extends MiniPool {
  protected override release(connection: MiniConnection, result: OperationResult): void {
    // The bug: the error path returns early and forgets the socket's permit.
    if (result.status < 200 || result.status >= 300) return;
    super.release(connection, result);
  }
}

export const createLeaksPermitOnErrorClient: ClientFactory = (options) => new LeaksPermitOnErrorPool(options);
