/**
 * Bug modelled: a body cut short taken as a whole one — urllib3 before 2.0, whose `enforce_content_length` was off by
 * default (urllib3 #949, turned on by #2514), so requests returned a truncated body with no error when the server
 * closed before Content-Length was reached (psf/requests #4956, #2275; urllib3 #311). Here the server's FIN ends
 * whatever response is being read, whatever its framing says is left, and the caller gets the bytes so far.
 *
 * Caught by: no-cross-talk (the caller got a body the server never sent: a prefix of its own, cut short).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { ParserEvents } from '../../support/http1-response-parser.js';
import { ResponseParser } from '../../support/http1-response-parser.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

class LenientConnection extends MiniConnection {
  // Set while the base constructor runs (createParser), so not initialised here.
  declare private lenientParser: ResponseParser;

  protected override createParser(events: ParserEvents): ResponseParser {
    this.lenientParser = new ResponseParser(events);
    return this.lenientParser;
  }

  // The bug: the end of the stream is the end of the body.
  protected override serverEnded(): void {
    if (this.inFlight > 0 && this.lenientParser.midResponse) this.lenientParser.endEarly();
    super.serverEnded();
  }
}

class AcceptsShortBodyPool extends MiniPool {
  protected override connect(): MiniConnection {
    return new LenientConnection(this.target, (gone) => this.forget(gone));
  }
}

export const createAcceptsShortBodyClient: ClientFactory = (options) => new AcceptsShortBodyPool(options);
