/**
 * Bug modelled: an error body not read to its end before the socket is reused — the undici README's "Garbage
 * Collection" note, node-influx #475, HTTPCLIENT-2184 (unconsumed bodies). For a status ≥ 500 the client returns as
 * soon as the first body bytes arrive (they are all it reads of the error) and hands the socket back with the rest
 * unread. The rest stays in the socket's buffer, so the next response on that socket is parsed from those leftovers.
 *
 * Caught by: exactly-once (the next caller on that socket fails to parse its reply, the leftover error body where
 * a status line should be, although the server sent that reply whole: a lost reply) and no-cross-talk (the caller
 * got a torn error body, one the server never sent). pool-bound follows: the next request is written while the
 * error body is still being sent.
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { BodySink } from '../../support/mini-pool.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';
import { ownBodySink } from '../../support/mini-connection.js';

class BufferedConnection extends MiniConnection {
  // Bytes nobody is owed yet are kept for the next response, as unread bytes stay in a socket's buffer.
  protected override unsolicited(): void {}
}

class ReturnsEarlyOnErrorStatusPool extends MiniPool {
  protected override connect(): MiniConnection {
    return new BufferedConnection(this.target, (gone) => this.forget(gone));
  }

  protected override bodySink(): BodySink {
    const sink = ownBodySink();
    let status = 0;
    let chunks = 0;
    return {
      start: (head) => {
        status = head.status;
        sink.start(head);
      },
      push: (chunk) => {
        chunks += 1;
        sink.push(chunk);
      },
      text: () => sink.text(),
      // The bug: of a server error, the first bytes that arrive are taken as the whole body.
      done: () => status >= 500 && chunks > 0,
    };
  }
}

export const createReturnsEarlyOnErrorStatusClient: ClientFactory = (options) =>
  new ReturnsEarlyOnErrorStatusPool(options);
