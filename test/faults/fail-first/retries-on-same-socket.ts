/**
 * Bug modelled: a retry that does not take a fresh connection — nahi/httpclient #30 ("when retrying a failed
 * persistent connection, httpclient should use a fresh connection, not an already-used one"). When the server closes
 * a socket without answering (end of stream, no response byte), the client resends the GET, idempotent and so fine
 * to retry, but on the very socket that just ended: it keeps the socket half-open, writes the request again and
 * waits there for an answer that cannot come.
 *
 * Caught by: reuse (the request was sent again on the socket the server had closed under its first attempt; a retry
 * must go to a fresh socket), whatever the timing: a retry is no race with the close, the client saw the close.
 */
import type { ClientFactory, OperationResult } from '../../../src/clients/contract.js';
import type { RequestShape } from '../../../src/clients/request-shape.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class HalfOpenConnection extends MiniConnection {
  /** Set for the retry: the socket is used although the server ended it. */
  reusedAfterEnd = false;
  /** The method of the exchange in flight. */
  method = '';

  override get reusable(): boolean {
    return this.reusedAfterEnd ? !this.socket.destroyed && this.socket.writable : super.reusable;
  }
}

const closedWithoutAnswer = (error: unknown): boolean => (error as { code?: string }).code === 'MINI_POOL_SOCKET_CLOSED';

class RetriesOnSameSocketPool extends MiniPool {
  protected override connect(): MiniConnection {
    return new HalfOpenConnection({ ...this.target, allowHalfOpen: true }, (gone) => this.forget(gone));
  }

  protected override async exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OperationResult> {
    if (connection instanceof HalfOpenConnection) connection.method = shape.method;
    try {
      return await super.exchange(connection, shape, headers, signal);
    } catch (error) {
      if (!(connection instanceof HalfOpenConnection) || !this.retriesOn(connection, error, signal)) throw error;
      // The bug: the retry goes out on the socket that just ended, not on a fresh one.
      connection.reusedAfterEnd = true;
      return super.exchange(connection, shape, headers, signal);
    }
  }

  protected override afterFailure(connection: MiniConnection, error: unknown, signal: AbortSignal): void {
    // Kept for the retry instead of being discarded.
    if (connection instanceof HalfOpenConnection && this.retriesOn(connection, error, signal)) return;
    super.afterFailure(connection, error, signal);
  }

  private retriesOn(connection: HalfOpenConnection, error: unknown, signal: AbortSignal): boolean {
    return connection.method === 'GET' && !connection.reusedAfterEnd && closedWithoutAnswer(error) && !signal.aborted;
  }
}

export const createRetriesOnSameSocketClient: ClientFactory = (options) => new RetriesOnSameSocketPool(options);
