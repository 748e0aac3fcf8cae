/**
 * Bug modelled: a close() that only tears down the sockets in use and drops the idle list from its books, leaving
 * those sockets open. POOL-BUGS.md has no entry that is exactly this; it is the leak class of its "Pool bounds,
 * exhaustion, leaks" section — sockets the pool no longer accounts for (urllib3 #644, proxy-agents #299) — met at
 * close time. Busy sockets are destroyed and queued calls rejected, so only the idle ones linger.
 *
 * Caught by: clean-close (sockets still open at the server after close() plus the bound).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import { MiniPoolError } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class CloseForgetsIdleSocketsPool extends MiniPool {
  override async close(): Promise<void> {
    this.closed = true;
    this.rejectWaiters(new MiniPoolError('MINI_POOL_CLOSED', 'the pool was closed while this call waited for a socket'));
    // The bug: only sockets carrying a request are destroyed; idle ones are dropped from the books, left open.
    const busy = [...this.live].filter((connection) => connection.inFlight > 0);
    for (const connection of busy) connection.destroy(new MiniPoolError('MINI_POOL_CLOSED', 'the pool was closed'));
    this.idle.length = 0;
    await Promise.all(busy.map((connection) => connection.closed()));
  }
}

export const createCloseForgetsIdleSocketsClient: ClientFactory = (options) => new CloseForgetsIdleSocketsPool(options);
