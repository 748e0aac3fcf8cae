import type { ClientFactory, ClientOptions, OperationResult } from '../../src/clients/contract.js';
import type { RequestShape } from '../../src/clients/request-shape.js';
import type { BodySink, MiniConnection, RawResponse } from './mini-pool.js';
import { MiniPool } from './mini-pool.js';

/**
 * The correct reference pool: the mini pool with the policies real pools have, each a switch. Every invariant must
 * hold for every combination, under every fault; a false alarm on any of them is a harness bug.
 */
export interface ReferencePolicy {
  /**
   * Retry an idempotent GET once, on a fresh socket, when a reused socket died before any byte of the response came
   * (urllib3's and Go's rule); close one idle socket to make room for the fresh one within the bound if need be.
   */
  retryOnFreshSocket: boolean;
  /** After a connection failure, close every idle socket: they may be stale too (urllib3, OkHttp's evictions). */
  discardIdleOnFailure: boolean;
  /** Close a socket idle this long (the pool's own idle timeout); null keeps idle sockets. */
  idleTimeoutMs: number | null;
  /** Open every socket of the bound at creation, and replace a lost one at once, ahead of demand. */
  prewarm: boolean;
  /** Which idle socket the next call gets: the most recently released, or the one idle longest. */
  order: 'lifo' | 'fifo';
  /**
   * Honour `Keep-Alive: timeout=N`: retire a socket once it has been idle for N seconds less a one-second margin, at
   * once when that leaves nothing (undici's rule).
   */
  honourKeepAliveHint: boolean;
}

export const PLAIN_POLICY: ReferencePolicy = {
  retryOnFreshSocket: false,
  discardIdleOnFailure: false,
  idleTimeoutMs: null,
  prewarm: false,
  order: 'lifo',
  honourKeepAliveHint: false,
};

/** Idle timeout used by the switch: short enough that scenarios' idle gaps (60-90 ms) meet it. */
export const REFERENCE_IDLE_TIMEOUT_MS = 25;
const KEEP_ALIVE_MARGIN_MS = 1_000;

/**
 * Eight combinations in which every pair of switches takes all four pairs of values (the first six columns of the
 * orthogonal array OA(8, 7, 2, 2)): the test suite's sample; the soak runs all 64.
 */
export function pairwisePolicies(): ReferencePolicy[] {
  const rows = ['000000', '000111', '011001', '011110', '101010', '101101', '110011', '110100'];
  return rows.map((row) => policyFromBits(parseInt([...row].reverse().join(''), 2)));
}

function policyFromBits(bits: number): ReferencePolicy {
  return {
    retryOnFreshSocket: (bits & 1) !== 0,
    discardIdleOnFailure: (bits & 2) !== 0,
    idleTimeoutMs: (bits & 4) !== 0 ? REFERENCE_IDLE_TIMEOUT_MS : null,
    prewarm: (bits & 8) !== 0,
    order: (bits & 16) !== 0 ? 'fifo' : 'lifo',
    honourKeepAliveHint: (bits & 32) !== 0,
  };
}

/** Every combination of the switches: 2^6 = 64 policies. */
export function allPolicies(): ReferencePolicy[] {
  return Array.from({ length: 64 }, (_, bits) => policyFromBits(bits));
}

/** `retry+discard+idle25+prewarm+fifo+hint`, or `plain`. */
export function policyName(policy: ReferencePolicy): string {
  const parts = [
    policy.retryOnFreshSocket ? 'retry' : '',
    policy.discardIdleOnFailure ? 'discard' : '',
    policy.idleTimeoutMs !== null ? `idle${policy.idleTimeoutMs}` : '',
    policy.prewarm ? 'prewarm' : '',
    policy.order === 'fifo' ? 'fifo' : '',
    policy.honourKeepAliveHint ? 'hint' : '',
  ].filter(Boolean);
  return parts.length === 0 ? 'plain' : parts.join('+');
}

/** Errors that mean the socket went away under the request (not a timeout, not the caller's abort). */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'MINI_POOL_SOCKET_CLOSED']);

function keepAliveSeconds(response: RawResponse): number | null {
  const value = response.head.headers.get('keep-alive')?.[0];
  const match = value === undefined ? null : /timeout=(\d+)/i.exec(value);
  return match === null ? null : Number(match[1]);
}

export class ReferencePool extends MiniPool {
  private readonly idleTimers = new Map<MiniConnection, NodeJS.Timeout>();
  /** The Keep-Alive hint of the response just read, for `release` (set and read in one synchronous step). */
  private hintSeconds: number | null = null;

  constructor(
    options: ClientOptions,
    private readonly policy: ReferencePolicy,
  ) {
    super(options);
    this.traits.retriesIdempotent = policy.retryOnFreshSocket;
    if (policy.prewarm) this.warm();
  }

  protected override takeIdle(): MiniConnection | undefined {
    if (this.policy.order === 'fifo') this.idle.reverse();
    try {
      const connection = super.takeIdle();
      if (connection !== undefined) this.clearIdleTimer(connection);
      return connection;
    } finally {
      if (this.policy.order === 'fifo') this.idle.reverse();
    }
  }

  protected override resultOf(response: RawResponse): OperationResult {
    this.hintSeconds = this.policy.honourKeepAliveHint ? keepAliveSeconds(response) : null;
    return super.resultOf(response);
  }

  protected override release(connection: MiniConnection, result: OperationResult): void {
    const hint = this.hintSeconds;
    this.hintSeconds = null;
    const retireAfter = hint === null ? null : hint * 1000 - KEEP_ALIVE_MARGIN_MS;
    if (retireAfter !== null && retireAfter <= 0) {
      this.discard(connection);
      return;
    }
    super.release(connection, result);
    if (!this.idle.includes(connection)) return;
    const timeouts = [this.policy.idleTimeoutMs, retireAfter].filter((ms): ms is number => ms !== null);
    if (timeouts.length > 0) this.retireWhenIdle(connection, Math.min(...timeouts));
  }

  protected override afterFailure(connection: MiniConnection, error: unknown, signal: AbortSignal): void {
    super.afterFailure(connection, error, signal);
    if (this.policy.discardIdleOnFailure && CONNECTION_LOST.has((error as { code?: string }).code ?? '')) {
      for (const idle of [...this.idle]) this.discard(idle);
    }
  }

  protected override forget(connection: MiniConnection): void {
    this.clearIdleTimer(connection);
    super.forget(connection);
    if (this.policy.prewarm) this.warm();
  }

  protected override async exchange(
    connection: MiniConnection,
    shape: RequestShape,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OperationResult> {
    const reused = connection.requestsWritten > 0;
    let responded = false;
    const sink = this.bodySink();
    this.nextSink = {
      ...sink,
      start: (head) => {
        responded = true;
        sink.start(head);
      },
    };
    try {
      return await super.exchange(connection, shape, headers, signal);
    } catch (error) {
      const lost = CONNECTION_LOST.has((error as { code?: string }).code ?? '');
      if (!this.policy.retryOnFreshSocket || shape.method !== 'GET' || !reused || responded || !lost || signal.aborted) {
        throw error;
      }
      const fresh = this.freshSocket();
      if (fresh === undefined) throw error;
      return super.exchange(fresh, shape, headers, signal);
    }
  }

  /** The sink for the exchange about to start (so `exchange` can tell whether any of the response came). */
  private nextSink: BodySink | undefined;

  protected override bodySink(): BodySink {
    const sink = this.nextSink;
    this.nextSink = undefined;
    return sink ?? super.bodySink();
  }

  override async close(): Promise<void> {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    await super.close();
  }

  /** A new socket for a retry, making room within the bound by closing an idle one; undefined if none can be had. */
  private freshSocket(): MiniConnection | undefined {
    if (this.closed) return undefined;
    if (!this.mayOpen()) {
      const victim = this.idle[0];
      if (victim === undefined) return undefined;
      this.discard(victim);
    }
    return this.mayOpen() ? this.open() : undefined;
  }

  /** Opens sockets up to the bound, idle, ahead of demand. */
  private warm(): void {
    while (!this.closed && this.mayOpen()) this.idle.unshift(this.open());
  }

  private retireWhenIdle(connection: MiniConnection, ms: number): void {
    this.clearIdleTimer(connection);
    const timer = setTimeout(() => {
      this.idleTimers.delete(connection);
      if (this.idle.includes(connection)) this.discard(connection);
    }, ms);
    this.idleTimers.set(connection, timer);
  }

  private clearIdleTimer(connection: MiniConnection): void {
    const timer = this.idleTimers.get(connection);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.idleTimers.delete(connection);
  }
}

export function createReferencePool(policy: ReferencePolicy): ClientFactory {
  return (options) => new ReferencePool(options, policy);
}
