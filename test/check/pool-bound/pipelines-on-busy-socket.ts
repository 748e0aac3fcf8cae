/**
 * Bug modelled: reuse-while-busy past the declared limit — curl #4779, where HTTP/2 reuse ignored the peer's max
 * concurrent streams. When every socket is busy this pool, instead of queueing, writes the request on the socket
 * owing the fewest responses, pipelining it, while declaring `pipelining: 1`. Each socket reads its responses
 * strictly in order, so every caller still gets its own reply: only the bound on requests in flight per socket is
 * broken.
 *
 * Caught by: pool-bound (a socket had more requests in flight than the declared pipelining depth).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { MiniConnection } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class PipelinesOnBusySocketPool extends MiniPool {
  protected override acquire(signal: AbortSignal): Promise<MiniConnection> {
    const idle = this.takeIdle();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.mayOpen()) return Promise.resolve(this.open());
    // The bug: no queue; the socket owing the fewest responses takes one more.
    const usable = [...this.live].filter((connection) => connection.reusable);
    const leastBusy = usable.sort((a, b) => a.inFlight - b.inFlight)[0];
    return leastBusy === undefined ? this.enqueue(signal) : Promise.resolve(leastBusy);
  }
}

export const createPipelinesOnBusySocketClient: ClientFactory = (options) => new PipelinesOnBusySocketPool(options);
