/**
 * Bug modelled: undici's Pool after a connection error, found by crosstalk with the connection-refused fault (see the
 * README, "undici Pool leaves a socket open after a failed connection"). Since the fix for nodejs/undici #3895 the
 * Pool takes a client whose connection failed off its list at once, but that client's `drain` listener
 * (PoolBase's kOnDrain, bound to the client) still hands it the requests queued in the Pool: the dropped client
 * connects again for them, outside the Pool's count, and `close()` never reaches it. Here a call whose socket failed
 * before its TLS handshake finished is sent again on a socket the pool does not count; that socket then serves later
 * calls from the idle list, while the pool opens new ones up to its bound.
 *
 * Caught by: clean-close (the uncounted socket outlives close(), in every run where a connection failed) and
 * pool-bound (more sockets open, or busy, than the bound, in runs that need the extra socket).
 */
import type { ClientFactory, OperationResult } from '../../../src/clients/contract.js';
import type { RequestShape } from '../../../src/clients/request-shape.js';
import type { ConnectTarget } from '../../support/mini-pool.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class HandshakeAwareConnection extends MiniConnection {
  handshaken = false;

  constructor(target: ConnectTarget, onGone: (connection: MiniConnection) => void) {
    super(target, onGone);
    this.socket.once('secureConnect', () => (this.handshaken = true));
  }
}

class ReconnectsUncountedPool extends MiniPool {
  protected override connect(): MiniConnection {
    return new HandshakeAwareConnection(this.target, (gone) => this.forget(gone));
  }

  protected override async exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OperationResult> {
    try {
      return await super.exchange(connection, shape, headers, signal);
    } catch (error) {
      const neverConnected = connection instanceof HandshakeAwareConnection && !connection.handshaken;
      if (!neverConnected || signal.aborted || this.closed) throw error;
      // The bug: the failed connection's slot is already free, and the retry connects outside the pool's count.
      const detached = new HandshakeAwareConnection(this.target, (gone) => this.forget(gone));
      return super.exchange(detached, shape, headers, signal);
    }
  }
}

export const createReconnectsUncountedClient: ClientFactory = (options) => new ReconnectsUncountedPool(options);
