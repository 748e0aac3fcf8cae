import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { SocketEnd, SocketRecord } from '../history/records.js';
import { ActivityMeter } from './activity.js';
import type { HistoryRecorder, RequestEntry } from './recorder.js';

/** The transport's state for one TCP connection; `record` is what the history shows. */
/** How long a socket we closed keeps reading (see closeAndLinger): longer than any idle gap a scenario plans. */
export const LINGER_MS = 500;

export interface Connection {
  readonly record: SocketRecord;
  /** The TCP socket: the only one that can send a RST (a TLS socket's handle is not a TCP handle). */
  readonly raw: Socket;
  /** Set once the handshake finished. */
  tls: TLSSocket | undefined;
  /** Requests that arrived and are not finished yet, oldest first (more than one only when pipelining). */
  readonly pending: RequestEntry[];
  idleTimer: NodeJS.Timeout | undefined;
  /** Aborted when the socket closes: ends planned delays and gates early, so nothing outlives the socket. */
  readonly closed: AbortController;
  /**
   * Held silent on purpose before any TLS byte (accept-silent): counted as a planned hold, not as a handshake the
   * engine should wait for, until the silence ends (see connect-faults.ts).
   */
  silent: 'no' | 'holding' | 'done';
  /** Responses still allowed on this socket after a `Keep-Alive: max=` hint; undefined when none was given. */
  keepAliveLeft: number | undefined;
  /**
   * Set once the bytes read as a withheld request body turned out to be another request (see withheld-body.ts):
   * whose body they were read as, and whether that request is recorded yet.
   */
  readAsBodyOf: { requestId: string; recorded: boolean } | undefined;
}

/**
 * Every connection the server accepted, from TCP accept to close. Decides the end reason (the first cause seen
 * wins: a client FIN after our own close is still a server close) and hands finished records to the recorder.
 */
export class ConnectionTable {
  private readonly bySocket = new WeakMap<Socket, Connection>();
  private readonly open = new Set<Connection>();
  private nextSocketId = 1;
  private emptyWaiters: Array<() => boolean> = [];
  /** What the transport is doing, for the engine's quiescence check (requests touch it too). */
  readonly activity = new ActivityMeter();

  constructor(
    private readonly recorder: HistoryRecorder,
    /** Called once a connection is gone and its record final (the request side finishes its leftovers). */
    private readonly onClosed: (connection: Connection) => void,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** TCP accept: the record starts here, before any TLS byte. */
  accept(raw: Socket): Connection {
    const record: SocketRecord = {
      socketId: this.nextSocketId++,
      remotePort: raw.remotePort ?? 0,
      acceptedAt: performance.now(),
      handshakeAt: null,
      resumed: false,
      alpn: null,
      endedAt: null,
      end: 'open',
      endDetail: null,
      requestCount: 0,
    };
    const connection: Connection = {
      record,
      raw,
      tls: undefined,
      pending: [],
      idleTimer: undefined,
      closed: new AbortController(),
      silent: 'no',
      keepAliveLeft: undefined,
      readAsBodyOf: undefined,
    };
    // Injected bytes must reach the client when the schedule says, not when a later write happens to flush them.
    raw.setNoDelay(true);
    this.bySocket.set(raw, connection);
    this.open.add(connection);
    this.recorder.socketAccepted(record);
    this.activity.touch();
    this.activity.handshakesInFlight += 1;
    // The TLS socket closes in the same turn (or just before); by the next one every end cause has been reported.
    raw.once('close', () => setImmediate(() => this.finish(connection)));
    return connection;
  }

  /** The handshake finished: from here on the TLS socket carries HTTP. */
  secured(tls: TLSSocket): Connection | undefined {
    const connection = this.of(tls);
    if (connection === undefined) return undefined;
    connection.tls = tls;
    this.bySocket.set(tls, connection);
    this.activity.touch();
    this.activity.handshakesInFlight -= 1;
    const record = connection.record;
    record.handshakeAt = performance.now();
    record.resumed = tls.isSessionReused();
    record.alpn = typeof tls.alpnProtocol === 'string' ? tls.alpnProtocol : null;
    tls.on('end', () => this.ended(connection, 'client-fin', null));
    tls.on('error', (error: NodeJS.ErrnoException) => this.failed(connection, error));
    // node's keep-alive timer fires 'timeout' and node then destroys the socket: name that close.
    tls.on('timeout', () => {
      if (connection.pending.length === 0) this.ended(connection, 'server-close', 'keep-alive-timeout');
    });
    return connection;
  }

  /** The connection of a raw or TLS socket (a TLS socket's `_parent` is its TCP socket). */
  of(socket: Socket): Connection | undefined {
    const direct = this.bySocket.get(socket);
    if (direct !== undefined) return direct;
    const parent = (socket as Socket & { _parent?: Socket | null })._parent;
    return parent ? this.bySocket.get(parent) : undefined;
  }

  /** Record why the connection ended, unless a cause was already recorded. */
  ended(connection: Connection, end: Exclude<SocketEnd, 'open'>, detail: string | null): void {
    const record = connection.record;
    if (record.end !== 'open') return;
    record.end = end;
    record.endDetail = detail;
    record.endedAt = performance.now();
  }

  /** The TLS handshake failed: garbage bytes, a client that rejected our certificate, or one that just left. */
  handshakeFailed(tls: TLSSocket, error: NodeJS.ErrnoException): void {
    const connection = this.of(tls);
    if (connection !== undefined) {
      // node reports a peer that left mid-handshake as a "socket hang up" reset; it was an orderly FIN.
      if (error.code === 'ECONNRESET' && error.message === 'socket hang up') {
        this.ended(connection, 'client-fin', 'before-handshake');
      } else this.failed(connection, error);
    }
    tls.destroy();
  }

  /** A socket error: a reset from the peer, or anything else (TLS alerts, garbage). */
  failed(connection: Connection, error: NodeJS.ErrnoException): void {
    const code = error.code ?? error.message;
    if (code === 'ECONNRESET' || code === 'EPIPE') this.ended(connection, 'reset', code);
    else this.ended(connection, 'error', code);
  }

  /** Close the socket after `ms` unless another request arrives first (our timer: node's is a second late). */
  closeWhenIdle(connection: Connection, ms: number, detail = 'fault:idle-close'): void {
    this.cancelIdleClose(connection);
    connection.idleTimer = setTimeout(() => {
      connection.idleTimer = undefined;
      if (connection.pending.length > 0) return;
      this.ended(connection, 'server-close', detail);
      this.closeAndLinger(connection);
    }, ms);
  }

  /**
   * Close our side (FIN) but keep reading for LINGER_MS before destroying: a client that writes on this socket
   * after we closed it (ignoring `Connection: close` or our FIN) must reach the parser and be recorded, or the
   * reuse invariant would have nothing to see. The client's own FIN ends it sooner.
   */
  closeAndLinger(connection: Connection): void {
    const socket = connection.tls ?? connection.raw;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  /**
   * RST the TCP socket (SO_LINGER 0, then close). Deferred by a timer and then a poll phase, both measured on node 20
   * and Linux: the TLS layer acknowledges a write before its ciphertext reaches the TCP handle (a reset in that turn
   * degrades into a FIN), and a peer that still has unread bytes (the body so far, TLS 1.3 session tickets) when the
   * RST lands reads them and then sees EOF instead of ECONNRESET. The poll phase lets an in-process client read first.
   */
  reset(connection: Connection, detail: string): void {
    this.ended(connection, 'reset', detail);
    setTimeout(() => setImmediate(() => resetNow(connection)), 1);
  }

  /** A connection held silent before its handshake (accept-silent): a planned hold, not a handshake to wait for. */
  holdSilent(connection: Connection): void {
    if (connection.silent !== 'no' || connection.tls !== undefined) return;
    connection.silent = 'holding';
    this.activity.handshakesInFlight -= 1;
    this.activity.plannedInFlight += 1;
  }

  /** The silence is over (the server closed it, or the socket went): no longer a hold. Idempotent. */
  endSilence(connection: Connection): void {
    if (connection.silent !== 'holding') return;
    connection.silent = 'done';
    this.activity.plannedInFlight -= 1;
    this.activity.touch();
  }

  cancelIdleClose(connection: Connection): void {
    if (connection.idleTimer !== undefined) {
      clearTimeout(connection.idleTimer);
      connection.idleTimer = undefined;
    }
  }

  /** Destroy every open socket (between runs, and at shutdown). */
  destroyAll(detail: string): void {
    for (const connection of this.open) {
      this.ended(connection, 'server-close', detail);
      connection.tls?.destroy();
      connection.raw.destroy();
    }
  }

  /**
   * Resolves true once no connection accepted after socket `afterSocketId` is open (0: none at all), false if some
   * still are after `timeoutMs`. A run waits only for its own sockets: one stuck from an earlier run must not tax
   * every run after it.
   */
  whenEmpty(timeoutMs: number, afterSocketId = 0): Promise<boolean> {
    const empty = () => ![...this.open].some((c) => c.record.socketId > afterSocketId);
    if (empty()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = (): boolean => {
        if (!empty()) return false;
        clearTimeout(timer);
        resolve(true);
        return true;
      };
      const timer = setTimeout(() => {
        this.emptyWaiters = this.emptyWaiters.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs);
      this.emptyWaiters.push(waiter);
    });
  }

  private finish(connection: Connection): void {
    if (!this.open.delete(connection)) return;
    this.activity.touch();
    if (connection.tls === undefined && connection.silent === 'no') this.activity.handshakesInFlight -= 1;
    this.endSilence(connection);
    this.cancelIdleClose(connection);
    // Nothing reported a cause: node closed it itself (a parse timeout, a Connection: close request).
    this.ended(connection, 'server-close', 'closed');
    connection.closed.abort();
    this.onClosed(connection);
    this.recorder.socketClosed(connection.record);
    // Each waiter decides for itself (it may wait only for newer sockets); those satisfied leave the list.
    this.emptyWaiters = this.emptyWaiters.filter((waiter) => !waiter());
  }
}

/**
 * Reset now, unless an orderly close has begun meanwhile (our FIN, or node answering the client's FIN with its own):
 * libuv refuses to reset a TCP handle while a shutdown is pending ("mixing uv_shutdown and uv_tcp_close_reset is not
 * allowed"), and node 20 then marks the handle as closing without ever closing it, so the socket never emits 'close'
 * and the process spins in its exit cleanup for ever (js-libp2p #3597 met the same). Once a FIN is on its way the
 * reset has lost the race anyway: destroy instead.
 */
export function resetNow(connection: Connection): void {
  const { raw, tls } = connection;
  if (raw.destroyed) return;
  if (tls?.writableEnded === true || raw.writableEnded) {
    tls?.destroy();
    raw.destroy();
    return;
  }
  raw.resetAndDestroy();
}
