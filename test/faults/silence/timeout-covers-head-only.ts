/**
 * Bug modelled: a client whose timeout stops at the response head — browserbase/sdk-node #206 (the request timeout
 * is cleared as soon as fetch resolves with the headers; a server that then stalls leaves the call pending however
 * long), unjs/ofetch #620 (fixed by #626: keep the timeout while the body is read). The pool arms its
 * `timeoutMs` for the exchange and clears it when the head arrives; a body that stops part-way is then waited for
 * until the server gives up.
 *
 * Caught by: exactly-once, in words: the call waited well past the timeout the client was configured with, on a
 * body the server stopped sending on purpose (stalled-body). A server that sends nothing at all (no-response) still
 * meets the timeout.
 */
import type { ClientFactory, ClientOptions, OperationResult } from '../../../src/clients/contract.js';
import type { RequestShape } from '../../../src/clients/request-shape.js';
import type { BodySink, MiniConnection } from '../../support/mini-pool.js';
import { MiniPool, MiniPoolError } from '../../support/mini-pool.js';

/** Longer than any run: the base pool's own exchange timer, which this client replaces with its own. */
const NEVER_MS = 2 ** 31 - 1;

class TimeoutCoversHeadOnlyPool extends MiniPool {
  private readonly headTimeoutMs: number;
  private armed: NodeJS.Timeout | undefined;

  constructor(options: ClientOptions) {
    super({ ...options, timeoutMs: NEVER_MS });
    this.headTimeoutMs = options.timeoutMs;
  }

  protected override exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OperationResult> {
    const timer = setTimeout(() => {
      connection.destroy(new MiniPoolError('MINI_POOL_TIMEOUT', `no response head within ${this.headTimeoutMs} ms`));
    }, this.headTimeoutMs);
    this.armed = timer;
    // bodySink() is asked for synchronously inside, so it sees this exchange's timer.
    return super.exchange(connection, shape, headers, signal).finally(() => clearTimeout(timer));
  }

  protected override bodySink(): BodySink {
    const sink = super.bodySink();
    const timer = this.armed;
    return {
      ...sink,
      // The bug: the head has come, so the timeout is over.
      start: (head) => {
        clearTimeout(timer);
        sink.start(head);
      },
    };
  }
}

export const createTimeoutCoversHeadOnlyClient: ClientFactory = (options) => new TimeoutCoversHeadOnlyPool(options);
