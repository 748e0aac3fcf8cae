/**
 * Bug modelled: a client that does not read `Connection: close` and puts the socket back as if it were kept alive
 * (the announced-close half of the stale-reuse bugs: Go #22158, where a POST written on a closing connection gets EOF;
 * undici PR #5034, a dispatch racing a disconnect). It still notices the server's FIN when that arrives first, so it
 * reuses the socket only when a queued call takes it at once, in the moment between the response and the FIN.
 *
 * Should be caught by: reuse (a request written on a socket after the server announced Connection: close on it).
 * Not seen today: node's server destroys the socket as soon as a Connection: close response is written, so the
 * request is never read, never recorded, and the caller's error looks like any failed call
 * (connection-close.test.ts pins this down).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { ResponseHead } from '../../support/http1-response-parser.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class DeafConnection extends MiniConnection {
  // The bug: the response head's `Connection: close` is not read.
  protected override announcesClose(_head: ResponseHead): boolean {
    return false;
  }
}

class IgnoresConnectionClosePool extends MiniPool {
  protected override connect(): MiniConnection {
    return new DeafConnection(this.target, (gone) => this.forget(gone));
  }
}

export const createIgnoresConnectionCloseClient: ClientFactory = (options) => new IgnoresConnectionClosePool(options);
