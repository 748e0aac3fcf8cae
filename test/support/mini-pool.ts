import type {
  ClientFactory,
  ClientOptions,
  ClientTraits,
  ClientUnderTest,
  Operation,
  OperationResult,
} from '../../src/clients/contract.js';
import type { RequestShape } from '../../src/clients/request-shape.js';
import { REQUEST_ID_HEADER, requestShape } from '../../src/clients/request-shape.js';
import type { BodySink, ConnectTarget, RawResponse } from './mini-connection.js';
import { MiniConnection, MiniPoolError, ownBodySink } from './mini-connection.js';

export { MiniConnection, MiniPoolError } from './mini-connection.js';
export type { BodySink, ConnectTarget, RawResponse } from './mini-connection.js';

/**
 * A small, correct HTTP/1.1 keep-alive pool over `node:tls`: the control against which the deliberately buggy
 * clients in test/check are measured, each of them a small override of one hook below.
 *
 * - at most `connections` sockets, opened lazily; when all are busy, callers wait in a FIFO queue;
 * - one request in flight per socket; a socket is reused only after its whole response has been read, and never
 *   after the server announced (`Connection: close`) or performed a close, or after an error;
 * - the operation's signal aborts a queued call (it leaves the queue) or an in-flight one (its socket is destroyed);
 * - `timeoutMs` bounds the exchange on a socket, not the wait for one (as Node's Agent and urllib3 do): the harness
 *   owns the deadline that catches a pool that never hands out a socket;
 * - `close()` destroys every socket, idle or busy, and rejects every queued call.
 *
 * Extension points (protected), in the order a call meets them: `run` → `headersFor` (before the wait for a socket)
 * → `acquire` (`takeIdle`, `mayOpen`, `open` → `connect`, `enqueue`) → `exchange` (`bodySink`, `serialize`, which
 * reads `defaultHeaders` at write time; `resultOf`) → `release`, or `afterFailure` → `discard` (`forget`, `drain`);
 * and `close` (`rejectWaiters`). A socket's own seams (its parser, what it does with bytes nobody asked for, how it
 * reads `Connection: close`) are MiniConnection's, reached through `connect`. State a subclass may read: `live`,
 * `idle`, `maxSockets`, `closed`, `target`. Each buggy client overrides one or two of them.
 */
export class MiniPool implements ClientUnderTest {
  readonly traits: ClientTraits;
  protected readonly maxSockets: number;
  /** Every socket open or opening, idle or busy. */
  protected readonly live = new Set<MiniConnection>();
  /** Sockets free for the next request, most recently released last. */
  protected readonly idle: MiniConnection[] = [];
  /** Client-wide headers, merged into each request when it is written (like a `DefaultRequestHeaders`). */
  protected readonly defaultHeaders: Record<string, string> = { 'user-agent': 'crosstalk-mini-pool' };
  protected closed = false;
  private readonly waiters: Array<{ resolve(connection: MiniConnection): void; reject(error: Error): void }> = [];
  protected readonly target: ConnectTarget;
  private readonly hostHeader: string;

  constructor(protected readonly options: ClientOptions) {
    const origin = new URL(options.origin);
    this.hostHeader = origin.host;
    this.target = { host: origin.hostname, port: Number(origin.port || 443), ca: options.ca, servername: 'localhost' };
    this.maxSockets = options.connections;
    this.traits = { maxSockets: options.connections, pipelining: 1, reuses: true, retriesIdempotent: false };
  }

  async run(operation: Operation): Promise<OperationResult> {
    if (this.closed) throw new MiniPoolError('MINI_POOL_CLOSED', 'the pool is closed');
    operation.signal.throwIfAborted();
    const shape = requestShape(operation);
    const headers = this.headersFor(operation, shape);
    const connection = await this.acquire(operation.signal);
    return this.exchange(connection, shape, headers, operation.signal);
  }

  /** This request's own headers (the shape's, plus framing); computed before waiting for a socket. */
  protected headersFor(_operation: Operation, shape: RequestShape): Record<string, string> {
    const headers = { ...shape.headers };
    if (shape.body !== null) headers['content-length'] = String(Buffer.byteLength(shape.body, 'utf8'));
    return headers;
  }

  /** An idle socket, else a new one if the bound allows, else a place in the queue. */
  protected acquire(signal: AbortSignal): Promise<MiniConnection> {
    const idle = this.takeIdle();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.mayOpen()) return Promise.resolve(this.open());
    return this.enqueue(signal);
  }

  /** The most recently released idle socket that can still be used; those the server closed meanwhile are dropped. */
  protected takeIdle(): MiniConnection | undefined {
    for (let connection = this.idle.pop(); connection !== undefined; connection = this.idle.pop()) {
      if (connection.reusable) return connection;
      // Freed quietly: the caller is about to use the slot (open a socket or keep draining).
      connection.destroy();
      this.live.delete(connection);
    }
    return undefined;
  }

  /** Whether a new socket may be opened now. */
  protected mayOpen(): boolean {
    return this.live.size < this.maxSockets;
  }

  /** Opens a socket and counts it against the bound from this moment. */
  protected open(): MiniConnection {
    const connection = this.connect();
    this.live.add(connection);
    return connection;
  }

  /** A new socket to the server, which tells the pool (`forget`) once it has closed. */
  protected connect(): MiniConnection {
    return new MiniConnection(this.target, (gone) => this.forget(gone));
  }

  /** Waits, first come first served, for `release` or `forget` to make room. */
  protected enqueue(signal: AbortSignal): Promise<MiniConnection> {
    return new Promise<MiniConnection>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at !== -1) this.waiters.splice(at, 1);
        reject(abortError(signal));
      };
      const waiter = {
        resolve: (connection: MiniConnection) => {
          signal.removeEventListener('abort', onAbort);
          resolve(connection);
        },
        reject: (error: Error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Writes the request on `connection` and reads its response, bounded by the signal and the client's timeout. */
  protected async exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OperationResult> {
    // The caller stops waiting at once; what becomes of the socket is `afterFailure`'s to decide.
    const onAbort = (): void => connection.abandon(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      connection.destroy(new MiniPoolError('MINI_POOL_TIMEOUT', `no complete response within ${this.options.timeoutMs} ms`));
    }, this.options.timeoutMs);
    let response: RawResponse;
    try {
      if (signal.aborted) throw abortError(signal);
      response = await connection.send(this.serialize(shape, headers), { headRequest: false, sink: this.bodySink() });
    } catch (error) {
      this.afterFailure(connection, error, signal);
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    const result = this.resultOf(response);
    this.release(connection, result);
    return result;
  }

  /** What the caller gets of a response read whole. */
  protected resultOf(response: RawResponse): OperationResult {
    return {
      status: response.head.status,
      requestId: response.head.headers.get(REQUEST_ID_HEADER)?.[0] ?? null,
      body: response.body,
    };
  }

  /**
   * An exchange failed: an error or a close on the socket, the client's timeout, or the caller giving up. The socket
   * may be mid-response, so it is destroyed and its slot freed, never reused.
   */
  protected afterFailure(connection: MiniConnection, _error: unknown, _signal: AbortSignal): void {
    this.discard(connection);
  }

  /** Where this exchange's body accumulates: its own buffer. */
  protected bodySink(): BodySink {
    return ownBodySink();
  }

  /** The request's bytes, read from `headers` and `defaultHeaders` now, at write time. */
  protected serialize(shape: RequestShape, headers: Record<string, string>): Buffer {
    const all: Record<string, string> = { host: this.hostHeader, ...this.defaultHeaders, ...headers };
    let head = `${shape.method} ${shape.path} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(all)) head += `${name}: ${value}\r\n`;
    head += '\r\n';
    const parts = [Buffer.from(head, 'latin1')];
    if (shape.body !== null) parts.push(Buffer.from(shape.body, 'utf8'));
    return Buffer.concat(parts);
  }

  /** A response has been read whole: the socket goes back to the pool (or away, if it cannot be reused). */
  protected release(connection: MiniConnection, _result: OperationResult): void {
    if (this.closed || !connection.reusable) {
      this.discard(connection);
      return;
    }
    if (connection.inFlight > 0) return; // still owes pipelined responses
    this.idle.push(connection);
    this.drain();
  }

  /** Destroys a socket that must not be reused; its slot is freed for the queue. */
  protected discard(connection: MiniConnection): void {
    connection.destroy();
    this.forget(connection);
  }

  /** Drops a socket from the pool's books (it closed, or is being destroyed) and lets the queue move. */
  protected forget(connection: MiniConnection): void {
    if (!this.live.delete(connection)) return;
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    this.drain();
  }

  /** Hands idle sockets, then new ones within the bound, to queued callers in arrival order. */
  protected drain(): void {
    while (this.waiters.length > 0 && !this.closed) {
      const connection = this.takeIdle() ?? (this.mayOpen() ? this.open() : undefined);
      if (connection === undefined) return;
      this.waiters.shift()!.resolve(connection);
    }
  }

  /** Rejects every queued call. */
  protected rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.rejectWaiters(new MiniPoolError('MINI_POOL_CLOSED', 'the pool was closed while this call waited for a socket'));
    const sockets = [...this.live];
    for (const connection of sockets) connection.destroy(new MiniPoolError('MINI_POOL_CLOSED', 'the pool was closed'));
    await Promise.all(sockets.map((connection) => connection.closed()));
  }
}

export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new MiniPoolError('ABORT_ERR', 'the operation was aborted');
}

export const createMiniPoolClient: ClientFactory = (options) => new MiniPool(options);
