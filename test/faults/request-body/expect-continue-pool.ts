/**
 * Not a bug: the control for request-body trouble. A correct pool that sends each POST with `Expect: 100-continue`
 * (as curl does for large bodies, and OkHttp, Go and .NET can): the head goes first, the body once the `100 Continue`
 * arrives. When a final status comes instead, the body was never sent, so the socket is out of step with the server
 * (which may read the next bytes as that body) and is not reused: the OkHttp fix for #3252 (#3263) and Go's for
 * golang/go #67555 do the same. `skipsBodyReuses` turns that last rule off: the bug of skips-body-and-reuses.ts.
 */
import type { ClientFactory, ClientOptions, Operation } from '../../../src/clients/contract.js';
import type { RequestShape } from '../../../src/clients/request-shape.js';
import type { ParserEvents, ResponseHead } from '../../support/http1-response-parser.js';
import { ResponseParser } from '../../support/http1-response-parser.js';
import type { ConnectTarget } from '../../support/mini-pool.js';
import { MiniConnection, MiniPool } from '../../support/mini-pool.js';

/** Tells its connection when a 100 arrives; every 1xx is still skipped. */
class ContinueParser extends ResponseParser {
  constructor(
    events: ParserEvents,
    private readonly onContinue: () => void,
  ) {
    super(events);
  }

  protected override isInterim(status: number): boolean {
    if (status === 100) this.onContinue();
    return super.isInterim(status);
  }
}

export class ExpectConnection extends MiniConnection {
  /** The body of the request in flight, held back until its 100 Continue. */
  withheld: Buffer | null = null;
  /** A final status came while the body was held back: the body was never sent. */
  bodySkipped = false;

  constructor(
    target: ConnectTarget,
    onGone: (connection: MiniConnection) => void,
    private readonly reuseAfterSkip: boolean,
  ) {
    super(target, onGone);
  }

  protected override createParser(events: ParserEvents): ResponseParser {
    return new ContinueParser(events, () => this.sendWithheld());
  }

  protected override announcesClose(head: ResponseHead): boolean {
    if (this.withheld !== null) {
      this.withheld = null;
      this.bodySkipped = true;
      // The server may read whatever comes next as the body it was promised: unless buggy, no reuse.
      if (!this.reuseAfterSkip) return true;
    }
    return super.announcesClose(head);
  }

  private sendWithheld(): void {
    if (this.withheld === null) return;
    this.socket.write(this.withheld);
    this.withheld = null;
  }
}

export class ExpectContinuePool extends MiniPool {
  private current: ExpectConnection | undefined;

  constructor(
    options: ClientOptions,
    private readonly skipsBodyReuses = false,
  ) {
    super(options);
  }

  protected override connect(): MiniConnection {
    return new ExpectConnection(this.target, (gone) => this.forget(gone), this.skipsBodyReuses);
  }

  protected override headersFor(operation: Operation, shape: RequestShape): Record<string, string> {
    const headers = super.headersFor(operation, shape);
    if (shape.body !== null) headers.expect = '100-continue';
    return headers;
  }

  protected override exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ) {
    // serialize() is asked for synchronously inside: it hands the body to this connection to hold back.
    this.current = connection instanceof ExpectConnection ? connection : undefined;
    return super.exchange(connection, shape, headers, signal);
  }

  protected override serialize(shape: RequestShape, headers: Record<string, string>): Buffer {
    const whole = super.serialize(shape, headers);
    if (headers.expect === undefined || shape.body === null || this.current === undefined) return whole;
    const body = Buffer.from(shape.body, 'utf8');
    this.current.withheld = body;
    return whole.subarray(0, whole.length - body.length);
  }
}

export const createExpectContinueClient: ClientFactory = (options) => new ExpectContinuePool(options);
