/**
 * Bug modelled: keep-alive silently lost — the client claims to pool sockets but closes each one after its
 * response, so every call pays a new TCP and TLS handshake (undici #5022: a `Keep-Alive: max=` reply stopped reuse;
 * the seed's per-call anti-pattern, hidden inside something that looks like a pool). It never exceeds its bound
 * and never mixes replies, so only reuse can see it.
 *
 * Caught by: reuse (the client closes a healthy socket right after its reply, and the next call needs a new one).
 */
import type { ClientFactory, OperationResult } from '../../../src/clients/contract.js';
import type { MiniConnection } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class ClosesAfterEachResponsePool extends MiniPool {
  protected override release(connection: MiniConnection, _result: OperationResult): void {
    // The bug: the socket is dropped instead of going back to the idle list.
    this.discard(connection);
  }
}

export const createClosesAfterEachResponseClient: ClientFactory = (options) => new ClosesAfterEachResponsePool(options);
