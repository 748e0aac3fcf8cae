import tls from 'node:tls';
import type { Headers, ParserEvents, ResponseHead } from './http1-response-parser.js';
import { ResponseParser } from './http1-response-parser.js';

/**
 * Where a response's body bytes go while it is read. The pool hands each exchange its own sink; a sink shared
 * between exchanges is the shared-response-buffer bug.
 */
export interface BodySink {
  /** The final head of this sink's response has arrived: the body starts now. */
  start(head: ResponseHead): void;
  push(chunk: Buffer): void;
  /** Read once the response has ended. */
  text(): string;
  /**
   * Asked after each chunk: true when the reader wants no more of this body, so the response ends here whatever its
   * framing says. A correct reader never says so (absent = false); it is the seam for readers that stop early.
   */
  done?(): boolean;
}

export function ownBodySink(): BodySink {
  let chunks: Buffer[] = [];
  return {
    start: () => {
      chunks = [];
    },
    push: (chunk) => {
      chunks.push(chunk);
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

export interface RawResponse {
  head: ResponseHead;
  trailers: Headers;
  body: string;
}

export class MiniPoolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MiniPoolError';
  }
}

interface Exchange {
  headRequest: boolean;
  sink: BodySink;
  head: ResponseHead | null;
  resolve(response: RawResponse): void;
  reject(error: Error): void;
}

export interface ConnectTarget {
  host: string;
  port: number;
  ca: string;
  servername: string;
  /**
   * Keep the socket writable after the server's FIN instead of closing it at once (node's default), as a socket
   * nobody reads sits half-closed (CLOSE_WAIT) in clients that only read while a response is owed.
   */
  allowHalfOpen?: boolean;
}

/**
 * One TLS socket and the responses owed on it, read strictly in the order the requests were written (so a pool
 * that pipelines still gets every response matched to its request). Once it is no longer `reusable` it never
 * becomes so again; `onGone` fires exactly once, when the socket has closed for whatever reason.
 */
export class MiniConnection {
  private static nextId = 1;
  readonly id = MiniConnection.nextId++;
  readonly socket: tls.TLSSocket;
  /** Requests written on this socket so far. */
  requestsWritten = 0;
  private readonly owed: Exchange[] = [];
  private readonly parser: ResponseParser;
  private serverSaidClose = false;
  private gone = false;
  private failure: Error | null = null;

  constructor(
    target: ConnectTarget,
    private readonly onGone: (connection: MiniConnection) => void,
  ) {
    this.parser = this.createParser({
      head: (head) => this.onHead(head),
      body: (chunk) => this.onBody(chunk),
      end: (trailers) => this.onEnd(trailers),
    });
    this.parser.hold = true;
    const { host, port, ca, servername, allowHalfOpen = false } = target;
    const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = { host, port, ca, servername, allowHalfOpen };
    this.socket = tls.connect(options);
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => this.serverEnded());
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => {
      this.gone = true;
      this.fail(this.failure ?? new MiniPoolError('MINI_POOL_SOCKET_CLOSED', `socket ${this.id} closed`));
      this.onGone(this);
    });
  }

  /** Requests written whose responses have not ended. */
  get inFlight(): number {
    return this.owed.length;
  }

  /** May carry another request: open, not failed, and the server has not announced or performed a close. */
  get reusable(): boolean {
    return !this.gone && this.failure === null && !this.serverSaidClose && !this.socket.destroyed;
  }

  get alive(): boolean {
    return !this.gone;
  }

  /** The parser this socket reads with (called once, from the constructor). */
  protected createParser(events: ParserEvents): ResponseParser {
    return new ResponseParser(events);
  }

  /** Writes one serialized request and resolves with its response once the whole body has been read. */
  send(request: Buffer, options: { headRequest: boolean; sink: BodySink }): Promise<RawResponse> {
    if (!this.reusable) {
      return Promise.reject(new MiniPoolError('MINI_POOL_SOCKET_CLOSED', `socket ${this.id} cannot carry a request`));
    }
    return new Promise<RawResponse>((resolve, reject) => {
      this.owed.push({ headRequest: options.headRequest, sink: options.sink, head: null, resolve, reject });
      if (this.owed.length === 1) this.parser.headRequest = options.headRequest;
      this.parser.hold = false;
      this.requestsWritten += 1;
      this.socket.write(request);
    });
  }

  /** Destroys the socket; every response still owed rejects with `error`. */
  destroy(error?: Error): void {
    this.fail(error ?? new MiniPoolError('MINI_POOL_DESTROYED', `socket ${this.id} was destroyed`));
    this.socket.destroy();
  }

  /**
   * Rejects every response owed with `error`, leaving the socket open: those responses' bytes, if they still come,
   * are owed to nobody. A correct pool then destroys the socket; one that reuses it hands them to the next caller.
   */
  abandon(error: Error): void {
    for (const exchange of this.owed.splice(0)) exchange.reject(error);
    this.parser.hold = true;
  }

  /** Resolves once the socket has closed. */
  closed(): Promise<void> {
    if (this.gone) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /**
   * Bytes arrived beyond the end of every response owed (a reply nobody waits for, or a server out of step); they
   * sit unparsed in the parser. A strict client destroys the socket. A client that reads on demand keeps them, and
   * reads them as the next response (aiohttp kept such a parser "tail" for the next response): overriding this to do
   * nothing models it.
   */
  protected unsolicited(): void {
    this.destroy(new MiniPoolError('MINI_POOL_UNSOLICITED', `socket ${this.id} received bytes nobody asked for`));
  }

  /** The server's FIN: a close-delimited body ends here; anything else still owed is cut short; no reuse after it. */
  protected serverEnded(): void {
    this.serverSaidClose = true;
    this.parser.finish();
    this.fail(new MiniPoolError('MINI_POOL_SOCKET_CLOSED', `socket ${this.id} was closed by the server`));
  }

  /** Whether this head tells the client not to reuse the socket (`Connection: close`, or a close-delimited body). */
  protected announcesClose(head: ResponseHead): boolean {
    return !head.keepAlive;
  }

  private onData(data: Buffer): void {
    try {
      this.parser.feed(data);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    if (this.owed.length === 0 && this.parser.midResponse) this.unsolicited();
  }

  private onHead(head: ResponseHead): void {
    const exchange = this.owed[0];
    if (exchange === undefined) throw new MiniPoolError('MINI_POOL_UNSOLICITED', `socket ${this.id}: a response nobody asked for`);
    exchange.head = head;
    if (this.announcesClose(head)) this.serverSaidClose = true;
    exchange.sink.start(head);
  }

  private onBody(chunk: Buffer): void {
    const exchange = this.owed[0];
    if (exchange === undefined) return;
    exchange.sink.push(chunk);
    if (exchange.sink.done?.() === true) this.parser.endEarly();
  }

  private onEnd(trailers: Headers): void {
    const exchange = this.owed.shift();
    const next = this.owed[0];
    this.parser.hold = next === undefined;
    if (next !== undefined) this.parser.headRequest = next.headRequest;
    if (exchange === undefined || exchange.head === null) return;
    exchange.resolve({ head: exchange.head, trailers, body: exchange.sink.text() });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const exchange of this.owed.splice(0)) exchange.reject(error);
  }
}
