/**
 * Bug modelled: aiohttp #1619 (and #1876) — a chunked body's trailer section was not consumed: the parser stopped at
 * the last chunk, the trailer stayed in its buffer, and the next response's parse started at the trailer line
 * ("BadStatusLine"). Without trailers the only leftover is the final CRLF, which a parser tolerates between
 * responses, so the bug is invisible until a server sends one. As in aiohttp, the leftover bytes are kept and parsed
 * with the next bytes that arrive on the socket.
 *
 * Caught by: exactly-once (the next caller on that socket fails although the server sent its whole response: a lost
 * reply).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { ParserEvents } from '../../support/http1-response-parser.js';
import { ResponseParser } from '../../support/http1-response-parser.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class TrailerBlindParser extends ResponseParser {
  // The bug: the last chunk ends the response; its trailer section (and final CRLF) is left for the next one.
  protected override lastChunk(): void {
    this.complete(new Map());
  }
}

class BufferedConnection extends MiniConnection {
  protected override createParser(events: ParserEvents): ResponseParser {
    return new TrailerBlindParser(events);
  }

  // Bytes nobody is owed yet are kept for the next response.
  protected override unsolicited(): void {}
}

class IgnoresTrailersPool extends MiniPool {
  protected override connect(): MiniConnection {
    return new BufferedConnection(this.target, (gone) => this.forget(gone));
  }
}

export const createIgnoresTrailersClient: ClientFactory = (options) => new IgnoresTrailersPool(options);
