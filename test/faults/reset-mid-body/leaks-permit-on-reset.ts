/**
 * Bug modelled: urllib3 #644 (fixed by PR #647) — a connection that failed while its response was read was never
 * put back, so a blocking pool lost a slot with every such failure until callers waited forever. Here a socket that
 * breaks (a reset or a close) during an exchange is destroyed, but its slot is never given back: neither the error
 * path nor the socket's close takes it off the books. After `connections` such failures every later call waits for a
 * socket that never comes (the pool's timeout covers the exchange, not the queue, as urllib3's does).
 *
 * Caught by: exactly-once (calls never end: the hang is reported against the harness's deadline, with the sockets).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { MiniConnection } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'MINI_POOL_SOCKET_CLOSED']);

class LeaksPermitOnResetPool extends MiniPool {
  private readonly leaked = new WeakSet<MiniConnection>();

  protected override afterFailure(connection: MiniConnection, error: unknown, signal: AbortSignal): void {
    if (!BROKEN.has((error as NodeJS.ErrnoException).code ?? '')) {
      super.afterFailure(connection, error, signal);
      return;
    }
    // The bug: the error path closes the socket and forgets to return its slot...
    this.leaked.add(connection);
    connection.destroy();
  }

  // ...and the pool counts slots, not sockets: the socket's close does not return it either.
  protected override forget(connection: MiniConnection): void {
    if (!this.leaked.has(connection)) super.forget(connection);
  }
}

export const createLeaksPermitOnResetClient: ClientFactory = (options) => new LeaksPermitOnResetPool(options);
