/**
 * Bug modelled: node #4050 (fixed by PR #4172) — on abort, http.Agent's `removeSocket` ran twice for one socket,
 * and each run made room for a queued request; with aborts on timeout the open sockets went 3, 6, 12, 24, 48 under
 * `maxSockets: 3`. Here the pool keeps its own count of sockets against the bound and decrements it on every
 * removal: an aborted call's socket is removed by the failure path and again when it closes, so each abort frees
 * one slot too many and the pool grows past its bound.
 *
 * Caught by: pool-bound (more sockets carry requests at once than the configured bound); reuse often sees the
 * extra handshakes too.
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import type { MiniConnection } from '../../support/mini-pool.js';
import { MiniPool } from '../../support/mini-pool.js';

class DoubleReleaseOnAbortPool extends MiniPool {
  /** Sockets counted against the bound, kept by hand instead of read from `live`. */
  private counted = 0;

  protected override mayOpen(): boolean {
    return this.counted < this.maxSockets;
  }

  protected override open(): MiniConnection {
    this.counted += 1;
    return super.open();
  }

  // The bug: every removal frees a slot, even a second removal of the same socket (the discard, then its close).
  protected override forget(connection: MiniConnection): void {
    this.counted -= 1;
    super.forget(connection);
  }
}

export const createDoubleReleaseOnAbortClient: ClientFactory = (options) => new DoubleReleaseOnAbortPool(options);
