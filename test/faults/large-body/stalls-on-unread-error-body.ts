/**
 * Bug modelled: an error status rejected at once, its body left unread — the undici README's "Garbage Collection"
 * note (a response body not consumed keeps its connection, and a pool of them deadlocks), node-influx #475,
 * HTTPCLIENT-2184. A client that rejects error statuses by design (`rejectsErrorStatus`) reads a response into one
 * 16 KiB buffer; an error body that fits is read whole and the socket goes back to the pool, but of a longer one the
 * caller gets the rejection as soon as the buffer is full, and the rest of the body is never read: the socket stops
 * reading, stays busy, and is never given back. Once every socket of the pool is stuck so, later calls wait for ever.
 *
 * Caught by: exactly-once (calls that never end; the hang, with the sockets), with error bodies past the buffer
 * (large-body, 64-256 KiB). The rejection itself is the client's design, not a violation.
 */
import type { ClientFactory, ClientOptions, OperationResult } from '../../../src/clients/contract.js';
import type { RequestShape } from '../../../src/clients/request-shape.js';
import type { BodySink, MiniConnection } from '../../support/mini-pool.js';
import { MiniPool, MiniPoolError } from '../../support/mini-pool.js';
import { ErrorStatusError } from './rejects-error-status.js';

/** The read buffer a response is read into before the caller gets its answer. */
const READ_BUFFER_BYTES = 16 * 1024;
/** The base pool's exchange timer is replaced by one that ends with the call (longer than any run). */
const NEVER_MS = 2 ** 31 - 1;

interface Pending {
  connection: MiniConnection;
  rejectEarly(error: Error): void;
}

class StallsOnUnreadErrorBodyPool extends MiniPool {
  private readonly callTimeoutMs: number;
  private pending: Pending | undefined;

  constructor(options: ClientOptions) {
    super({ ...options, timeoutMs: NEVER_MS });
    this.callTimeoutMs = options.timeoutMs;
    this.traits.rejectsErrorStatus = true;
  }

  protected override exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OperationResult> {
    let rejectEarly: (error: Error) => void = () => undefined;
    const early = new Promise<never>((_, reject) => (rejectEarly = reject));
    const timer = setTimeout(() => {
      connection.destroy(new MiniPoolError('MINI_POOL_TIMEOUT', `no complete response within ${this.callTimeoutMs} ms`));
    }, this.callTimeoutMs);
    // bodySink() is asked for synchronously inside, so it sees this exchange.
    this.pending = { connection, rejectEarly };
    const whole = super.exchange(connection, shape, headers, signal).then((result) => {
      if (result.status >= 400) throw new ErrorStatusError(result.status);
      return result;
    });
    whole.catch(() => undefined);
    early.catch(() => undefined);
    // The call's timer ends with the call: nobody times out what is left of the body after an early rejection.
    return Promise.race([whole, early]).finally(() => clearTimeout(timer));
  }

  protected override bodySink(): BodySink {
    const sink = super.bodySink();
    const pending = this.pending!;
    let status = 0;
    let read = 0;
    return {
      ...sink,
      start: (head) => {
        status = head.status;
        sink.start(head);
      },
      push: (chunk) => {
        sink.push(chunk);
        read += chunk.length;
        if (status < 400 || read < READ_BUFFER_BYTES) return;
        // The bug: the buffer is full and the status is an error: reject, and read no more.
        pending.rejectEarly(new ErrorStatusError(status));
        pending.connection.socket.pause();
      },
    };
  }
}

export const createStallsOnUnreadErrorBodyClient: ClientFactory = (options) => new StallsOnUnreadErrorBodyPool(options);
