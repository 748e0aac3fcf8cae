/**
 * Bug modelled: a response buffer shared by the whole client instead of one per request — the class of requests
 * #4941 / httplib2 (google-api-python-client #277) and curl #3956, where one shared parsing state serves every
 * concurrent caller. The "current response" is reset when any response's head arrives, every body chunk from any
 * socket is appended to it, and a caller reads it when its own response ends: when two responses are in flight on
 * different sockets, a caller gets another caller's bytes, or a splice of two bodies.
 *
 * Caught by: no-cross-talk (the body a caller received is not the body the server sent for its request).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { BodySink } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class SharedResponseBufferPool extends MiniPool {
  private current: Buffer[] = [];
  private readonly shared: BodySink = {
    start: () => {
      this.current = [];
    },
    push: (chunk) => {
      this.current.push(chunk);
    },
    text: () => Buffer.concat(this.current).toString('utf8'),
  };

  // The bug: every exchange writes into, and reads from, the one client-wide buffer.
  protected override bodySink(): BodySink {
    return this.shared;
  }
}

export const createSharedResponseBufferClient: ClientFactory = (options) => new SharedResponseBufferPool(options);
