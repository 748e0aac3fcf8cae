import type { RequestRecord, SocketRecord } from '../../src/history/records.js';
import type { CallRecord, RunHistory } from '../../src/history/run-history.js';

/**
 * Builds small run histories by hand, so each check can be shown to fire (and to stay quiet) on exactly the facts
 * it is about, without a network.
 */
export class HistoryBuilder {
  private readonly calls: CallRecord[] = [];
  private readonly sockets: SocketRecord[] = [];
  private readonly requests: RequestRecord[] = [];
  private traits: RunHistory['traits'] = {
    maxSockets: 2,
    pipelining: 1,
    reuses: true,
    retriesIdempotent: false,
    maxRequestsPerSocket: null,
    socketsPerTenant: false,
  };
  closeCalledAt = 1000;
  closeReturnedAt: number | null = 1001;

  withTraits(traits: Partial<RunHistory['traits']>): this {
    this.traits = { ...this.traits, ...traits };
    return this;
  }

  socket(
    socketId: number,
    acceptedAt: number,
    endedAt: number | null = 1002,
    end: SocketRecord['end'] = 'client-fin',
    endDetail: string | null = null,
  ): this {
    this.sockets.push({
      socketId,
      remotePort: 40000 + socketId,
      acceptedAt,
      handshakeAt: acceptedAt + 1,
      resumed: false,
      alpn: 'http/1.1',
      endedAt,
      end: endedAt === null ? 'open' : end,
      endDetail,
      requestCount: 0,
    });
    return this;
  }

  /**
   * A call and, unless `served` is false, the server's record of it. `got` overrides what the caller saw
   * (defaults to exactly what the server sent).
   */
  call(
    opId: string,
    options: {
      caller?: string;
      user?: string;
      tenant?: string;
      method?: 'GET' | 'POST';
      socket?: number;
      at: number;
      until: number;
      digest?: string;
      got?: Partial<{ requestIdSeen: string | null; bodyDigest: string }> | 'hung' | 'error';
      served?: boolean;
      identity?: string;
      outcome?: RequestRecord['outcome'];
      faults?: string[];
      attempts?: number;
    },
  ): this {
    const requestId = `r1-${opId}`;
    const caller = options.caller ?? opId.split('-')[0]!;
    const user = options.user ?? 'alice';
    const digest = options.digest ?? `digest-${opId}`;
    const socketId = options.socket ?? 1;
    if (options.served !== false) {
      for (let attempt = 0; attempt < (options.attempts ?? 1); attempt += 1) {
        const seq = this.requests.filter((r) => r.socketId === socketId).length + 1;
        this.requests.push({
          requestId,
          requestIdEchoed: true,
          socketId,
          seq,
          method: options.method ?? 'GET',
          path: '/db/_all_docs',
          query: '',
          identity: options.identity ?? user,
          tenant: options.tenant ?? 'acme',
          credential: `cred-${options.identity ?? user}`,
          arrivedAt: options.at + 1,
          firstByteAt: options.until - 2,
          lastByteAt: options.until - 1,
          status: 200,
          bytes: 100,
          bodyDigest: digest,
          faults: options.faults ?? [],
          outcome: options.outcome ?? 'complete',
        });
      }
    }
    const got = options.got;
    this.calls.push({
      opId,
      requestId,
      callerId: caller,
      tenant: options.tenant ?? 'acme',
      username: user,
      kind: options.method === 'POST' ? 'post' : 'get',
      method: options.method ?? 'GET',
      db: 'db',
      issuedAt: options.at,
      settledAt: got === 'hung' ? null : options.until,
      abortPlanned: false,
      abortAt: null,
      outcome:
        got === 'hung'
          ? { type: 'hung' }
          : got === 'error'
            ? { type: 'error', code: 'ECONNRESET', message: 'socket hang up' }
            : {
                type: 'response',
                status: 200,
                requestIdSeen: got?.requestIdSeen === undefined ? requestId : got.requestIdSeen,
                bodyDigest: got?.bodyDigest ?? digest,
                bytes: 100,
              },
    });
    return this;
  }

  build(): RunHistory {
    for (const socket of this.sockets) {
      socket.requestCount = this.requests.filter((r) => r.socketId === socket.socketId).length;
    }
    // A socket still open after the bound is one the harness destroyed, as a real run records it.
    const leftOpen = this.sockets.some((s) => s.endedAt === null || s.endedAt > this.closeCalledAt + 500);
    for (const socket of this.sockets) {
      if (socket.endedAt !== null && socket.endedAt <= this.closeCalledAt + 500) continue;
      socket.endedAt = this.closeCalledAt + 500;
      socket.end = 'server-close';
      socket.endDetail = 'destroyed-between-runs';
    }
    return {
      schema: 1,
      run: 1,
      client: 'synthetic',
      connections: 2,
      timeoutMs: 1000,
      traits: this.traits,
      scenario: { schema: 1, tenants: [], callers: [] },
      calls: this.calls,
      server: { schema: 1, sockets: this.sockets, requests: this.requests },
      startedAt: 0,
      callsEndedAt: this.closeCalledAt - 1,
      deadlineMs: 2000,
      endedBy: 'settled',
      quietMs: 300,
      timedSteps: [],
      timedStepCount: 0,
      interrupted: false,
      closeCalledAt: this.closeCalledAt,
      closeReturnedAt: this.closeReturnedAt,
      socketsClosedAt: leftOpen ? null : Math.max(...this.sockets.map((s) => s.endedAt ?? 0)),
      socketsLeftOpen: leftOpen ? { by: 'bound', afterMs: 500 } : null,
      closeBoundMs: 500,
    };
  }
}
