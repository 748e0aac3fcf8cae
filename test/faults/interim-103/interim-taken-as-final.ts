/**
 * Bug modelled: a 1xx interim response taken as the final one — dusty #159, http-client #521. The client knows
 * `100 Continue` but not `103 Early Hints`: it returns the 103 (no body, no request id) as the answer, and the real
 * response stays in its read buffer, to be read as the answer to the next request on that socket; every later
 * response there is off by one. The buffer is kept as such clients keep it: bytes that arrive while no response is
 * owed wait for the next reader (the correct mini pool would destroy the socket instead).
 *
 * Caught by: no-cross-talk (a caller receives a 103 with no body, then the next caller on that socket the response
 * to the previous request). tenant-isolation follows when the two callers are different tenants, and pool-bound
 * when the next request is written while the real response is still being sent.
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { ParserEvents } from '../../support/http1-response-parser.js';
import { ResponseParser } from '../../support/http1-response-parser.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class InterimAsFinalParser extends ResponseParser {
  // The bug: only 100 is known to be interim; a 103 ends the response.
  protected override isInterim(status: number): boolean {
    return status === 100;
  }
}

class BufferedConnection extends MiniConnection {
  protected override createParser(events: ParserEvents): ResponseParser {
    return new InterimAsFinalParser(events);
  }

  // Bytes nobody is owed yet are kept for the next response.
  protected override unsolicited(): void {}
}

class InterimAsFinalPool extends MiniPool {
  protected override connect(): MiniConnection {
    return new BufferedConnection(this.target, (gone) => this.forget(gone));
  }
}

export const createInterimTakenAsFinalClient: ClientFactory = (options) => new InterimAsFinalPool(options);
