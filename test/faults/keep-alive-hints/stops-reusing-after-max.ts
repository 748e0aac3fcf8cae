/**
 * Bug modelled: undici #5022 ("Keep-Alive max parameter prevents connection reuse"): once a connection reached the
 * `max` the server's Keep-Alive hint allowed and was closed, undici closed every later connection after its first
 * response, despite `Connection: keep-alive`. Here the first response that says `max=0` (no request left on that
 * socket) switches the pool to closing each socket as soon as its response has been read.
 *
 * Caught by: reuse (healthy sockets closed right after their replies, and later calls needing new ones: keep-alive
 * lost), with keep-alive-max on.
 */
import type { ClientFactory, OperationResult } from '../../../src/clients/contract.js';
import type { ResponseHead } from '../../support/http1-response-parser.js';
import type { ConnectTarget } from '../../support/mini-pool.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class HintReadingConnection extends MiniConnection {
  constructor(
    target: ConnectTarget,
    onGone: (connection: MiniConnection) => void,
    private readonly onMaxReached: () => void,
  ) {
    super(target, onGone);
  }

  protected override announcesClose(head: ResponseHead): boolean {
    const hint = head.headers.get('keep-alive')?.join(',') ?? '';
    if (/(?:^|[\s,])max=0(?:$|[\s,])/.test(hint)) this.onMaxReached();
    return super.announcesClose(head);
  }
}

class StopsReusingAfterMaxPool extends MiniPool {
  private maxReached = false;

  protected override connect(): MiniConnection {
    return new HintReadingConnection(this.target, (gone) => this.forget(gone), () => (this.maxReached = true));
  }

  // The bug: one socket at its max, and no socket is kept alive any more.
  protected override release(connection: MiniConnection, result: OperationResult): void {
    if (this.maxReached) this.discard(connection);
    else super.release(connection, result);
  }
}

export const createStopsReusingAfterMaxClient: ClientFactory = (options) => new StopsReusingAfterMaxPool(options);
