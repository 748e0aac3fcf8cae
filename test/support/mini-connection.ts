import tls from 'node:tls';
import type { Headers, ResponseHead } from './http1-response-parser.js';
import { ResponseParser } from './http1-response-parser.js';

/**
 * Where a response's body bytes go while it is read. The pool hands each exchange its own sink; a sink shared
 * between exchanges is the shared-response-buffer bug.
 */
export interface BodySink {
  /** The final head of this sink's response has arrived: the body starts now. */
  start(): void;
  push(chunk: Buffer): void;
  /** Read once the response has ended. */
  text(): string;
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
    this.parser = new ResponseParser({
      head: (head) => this.onHead(head),
      body: (chunk) => this.owed[0]?.sink.push(chunk),
      end: (trailers) => this.onEnd(trailers),
    });
    this.socket = tls.connect({ host: target.host, port: target.port, ca: target.ca, servername: target.servername });
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => {
      // The server's FIN: a close-delimited body ends here; anything else still owed is cut short.
      this.serverSaidClose = true;
      this.parser.finish();
      this.fail(new MiniPoolError('MINI_POOL_SOCKET_CLOSED', `socket ${this.id} was closed by the server`));
    });
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

  /** Writes one serialized request and resolves with its response once the whole body has been read. */
  send(request: Buffer, options: { headRequest: boolean; sink: BodySink }): Promise<RawResponse> {
    if (!this.reusable) {
      return Promise.reject(new MiniPoolError('MINI_POOL_SOCKET_CLOSED', `socket ${this.id} cannot carry a request`));
    }
    return new Promise<RawResponse>((resolve, reject) => {
      this.owed.push({ headRequest: options.headRequest, sink: options.sink, head: null, resolve, reject });
      if (this.owed.length === 1) this.parser.headRequest = options.headRequest;
      this.requestsWritten += 1;
      this.socket.write(request);
    });
  }

  /** Destroys the socket; every response still owed rejects with `error`. */
  destroy(error?: Error): void {
    this.fail(error ?? new MiniPoolError('MINI_POOL_DESTROYED', `socket ${this.id} was destroyed`));
    this.socket.destroy();
  }

  /** Resolves once the socket has closed. */
  closed(): Promise<void> {
    if (this.gone) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  private onData(data: Buffer): void {
    if (this.owed.length === 0 && !this.parser.midResponse) {
      this.destroy(new MiniPoolError('MINI_POOL_UNSOLICITED', `socket ${this.id} received bytes nobody asked for`));
      return;
    }
    try {
      this.parser.feed(data);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  private onHead(head: ResponseHead): void {
    const exchange = this.owed[0];
    if (exchange === undefined) throw new MiniPoolError('MINI_POOL_UNSOLICITED', `socket ${this.id}: a response nobody asked for`);
    exchange.head = head;
    if (!head.keepAlive) this.serverSaidClose = true;
    exchange.sink.start();
  }

  private onEnd(trailers: Headers): void {
    const exchange = this.owed.shift();
    if (exchange === undefined || exchange.head === null) return;
    const next = this.owed[0];
    if (next !== undefined) this.parser.headRequest = next.headRequest;
    exchange.resolve({ head: exchange.head, trailers, body: exchange.sink.text() });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const exchange of this.owed.splice(0)) exchange.reject(error);
  }
}
