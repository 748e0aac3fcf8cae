/**
 * Bug modelled: a pool that never notices the server closed an idle socket — Apache HttpClient 4.4 (HTTPCLIENT-2028:
 * the stale check ran only after 5 s idle, so sockets the server closed sooner were handed out and failed with
 * NoHttpResponseException) and node http.Agent #47130 (a socket handed to the next request before the server's FIN
 * was processed). Nothing reads an idle socket, so its FIN goes unseen: the socket stays half-closed but writable (a
 * Java socket in CLOSE_WAIT) and is handed out however long ago the server closed it; the request is written, and
 * only reading its response meets the end of the stream.
 *
 * Caught by: reuse (a request written on a socket long after the server closed it, past the FIN race allowance),
 * through fin-after only: fin-after half-closes and the server still reads, while idle-close destroys the socket,
 * so a request written after it is never recorded.
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { BodySink, RawResponse } from '../../support/mini-pool.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class UnreadIdleConnection extends MiniConnection {
  private finUnseen = false;

  // The bug: a FIN that arrives while no response is owed is not noticed; the socket still looks reusable.
  protected override serverEnded(): void {
    if (this.inFlight === 0) this.finUnseen = true;
    else super.serverEnded();
  }

  // Reading the next response meets the end of the stream at once (the write itself went out).
  override send(request: Buffer, options: { headRequest: boolean; sink: BodySink }): Promise<RawResponse> {
    const response = super.send(request, options);
    if (this.finUnseen) setImmediate(() => super.serverEnded());
    return response;
  }
}

class IgnoresServerFinPool extends MiniPool {
  protected override connect(): MiniConnection {
    return new UnreadIdleConnection({ ...this.target, allowHalfOpen: true }, (gone) => this.forget(gone));
  }
}

export const createIgnoresServerFinClient: ClientFactory = (options) => new IgnoresServerFinPool(options);
