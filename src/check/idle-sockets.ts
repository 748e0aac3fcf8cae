import type { HistoryIndex } from '../history/history-index.js';
import { nameCall } from '../history/history-index.js';
import { endedWithReply } from './error-status.js';
import { HARNESS_END } from '../history/records.js';
import type { RequestRecord, SocketRecord } from '../history/records.js';
import type { CallRecord, RunHistory } from '../history/run-history.js';
import type { Violation } from './invariant.js';
import { CLOSE_LAG_MS } from './pool-bound.js';

/**
 * A pool frees a socket a moment after its caller has the body (undici's drain, node's 'free' are a tick or two
 * later): a call issued within this long of the last reply on a socket may not know the socket is free yet.
 */
export const RELEASE_LAG_MS = 5;

/**
 * The same for a worker in another process: it writes its answer line, then its thread hands the connection back
 * (urllib3 after the body is read, in the worker's own time), while the next operation is already on its way.
 */
export const OUT_OF_PROCESS_RELEASE_LAG_MS = 20;

/**
 * A client that closes a healthy socket this soon after its reply is not keeping it alive (an idle timeout shorter
 * than this is no keep-alive at all); closing it later is the client's own idle timeout, which is its right.
 */
export const KEEP_ALIVE_FLOOR_MS = 10;

/** Server-side ends that are not the client's doing (ours between runs and at shutdown are not failures). */
const NOT_FAILURES: ReadonlySet<string> = new Set(Object.values(HARNESS_END));

/** A socket passed over for a new one, and what it says. */
export interface PassedOver {
  kind: 'idle-open' | 'dropped';
  violation: Violation;
}

/**
 * The moments something went wrong anywhere in the run (a socket the server closed or reset, a request cut short, a
 * call that failed or was aborted): after one, a client may discard its idle sockets, as urllib3 and Go do.
 */
function failureTimes(history: RunHistory, index: HistoryIndex): number[] {
  const times: number[] = [];
  for (const socket of history.server.sockets) {
    if (socket.endedAt === null || socket.end === 'client-fin' || socket.end === 'open') continue;
    if (NOT_FAILURES.has(socket.endDetail ?? '')) continue;
    times.push(socket.endedAt);
  }
  for (const request of history.server.requests) {
    if (request.outcome !== 'complete') times.push(request.lastByteAt ?? request.arrivedAt);
  }
  for (const call of history.calls) {
    if (!endedWithReply(call, history, index) && call.settledAt !== null) times.push(call.settledAt);
  }
  return times.sort((a, b) => a - b);
}

/** When the caller had the reply `request` got, if the exchange was healthy: whole, unfaulted, and delivered. */
function healthySettle(request: RequestRecord, history: RunHistory, index: HistoryIndex): number | null {
  if (request.outcome !== 'complete' || request.faults.length > 0 || request.status >= 500) return null;
  const call = index.callsByRequestId.get(request.requestId);
  // A 4xx a client rejects by design is still a healthy exchange: the socket is as reusable as after a 200.
  if (call === undefined || !endedWithReply(call, history, index) || call.settledAt === null) return null;
  return call.settledAt;
}

/** A new socket opened for a call issued before it (not ahead of demand), that call's first attempt (not a retry). */
interface Opened {
  socket: SocketRecord;
  call: CallRecord;
}

function openedForCalls(history: RunHistory, index: HistoryIndex): Opened[] {
  const opened: Opened[] = [];
  // Calls that ended (aborted, failed) before their request reached the server: a pool may have begun connecting for
  // one, and the socket it gets then serves whoever comes next, as undici's Pool does. Each may own one new socket.
  const orphans = history.calls
    .filter((c) => c.outcome.type !== 'response' && !index.requestsById.has(c.requestId))
    .map((c) => c.issuedAt)
    .sort((a, b) => a - b);
  const sockets = history.server.sockets.filter((s) => s.handshakeAt !== null).sort((a, b) => a.acceptedAt - b.acceptedAt);
  for (const socket of sockets) {
    const first = index.requestsBySocket.get(socket.socketId)?.[0];
    const call = first === undefined ? undefined : index.callsByRequestId.get(first.requestId);
    if (first === undefined || call === undefined || call.issuedAt > socket.acceptedAt) continue;
    const orphan = orphans.findIndex((issuedAt) => issuedAt <= socket.acceptedAt);
    if (orphan >= 0) {
      orphans.splice(orphan, 1);
      continue;
    }
    const retry = (index.requestsById.get(first.requestId) ?? []).some((r) => r !== first && r.arrivedAt < first.arrivedAt);
    if (!retry) opened.push({ socket, call });
  }
  return opened;
}

/** The last request on `socket` that arrived before `at`, and when its caller had the reply if it was healthy. */
function lastHealthy(
  socket: SocketRecord,
  at: number,
  history: RunHistory,
  index: HistoryIndex,
): { request: RequestRecord; call: CallRecord; settled: number } | null {
  const requests = index.requestsBySocket.get(socket.socketId) ?? [];
  const before = requests.filter((r) => r.arrivedAt < at);
  const request = before[before.length - 1];
  if (request === undefined) return null;
  const settled = healthySettle(request, history, index);
  const call = index.callsByRequestId.get(request.requestId);
  return settled === null || call === undefined ? null : { request, call, settled };
}

/**
 * Whether the pool knew the socket of `earlier`'s reply was free when `later` was issued: `later` came in a later
 * pass of the event loop than the reply (histories without passes: at least RELEASE_LAG_MS later).
 */
function knewFree(earlier: CallRecord, later: CallRecord, outOfProcess: boolean): boolean {
  if (earlier.settledAt === null) return false;
  // Loop passes are crosstalk's own; a worker in another process answers first and frees the connection after.
  if (outOfProcess) return earlier.settledAt + OUT_OF_PROCESS_RELEASE_LAG_MS <= later.issuedAt;
  if (typeof earlier.settledPass === 'number' && typeof later.issuedPass === 'number') {
    return later.issuedPass > earlier.settledPass;
  }
  return earlier.settledAt + RELEASE_LAG_MS <= later.issuedAt;
}

/**
 * The idle-socket rules of `reuse`, over the new sockets opened for calls (a call issued before its socket was
 * accepted; a retry may rightly go to a fresh socket, and a socket opened ahead of demand is the client's right):
 * - `idle-open`: a new socket T was opened for call C while another socket S of the client was healthy and idle
 *   (its last reply delivered in an earlier pass of the event loop than C was issued, and no call issued before C
 *   sent anything on it since) and stayed open (it did not close within CLOSE_LAG_MS of T's opening): an idle socket
 *   was passed over, whatever the bound;
 * - `dropped`: the client closed a healthy socket S within KEEP_ALIVE_FLOOR_MS of its reply, for no reason the history
 *   shows (no failure anywhere since that reply; not at `maxRequestsPerSocket`), and a later call needed a new socket.
 * Closing an idle socket later (its own idle timeout), after a failure, or after a Keep-Alive hint (a fault on the
 * reply) is a policy, not a bug; so is reconnecting to replace a socket the server or a failure took away, even
 * while another socket sits idle (see losses).
 */
export function passedOverSockets(history: RunHistory, index: HistoryIndex): PassedOver[] {
  const opened = openedForCalls(history, index);
  return [...idleOpen(history, index, opened), ...dropped(history, index, opened)];
}

/**
 * Sockets the client lost to the server or to a failure (closed or reset by the server, or closed by the client
 * after an exchange on it failed), by when: each may be replaced, even while another socket is idle. undici's Pool
 * does exactly that: it reconnects the first of its slots that is free, connected or not.
 */
function losses(history: RunHistory, index: HistoryIndex): number[] {
  const times: number[] = [];
  for (const socket of history.server.sockets) {
    if (socket.endedAt === null || socket.end === 'open' || NOT_FAILURES.has(socket.endDetail ?? '')) continue;
    const failedOnIt = (index.requestsBySocket.get(socket.socketId) ?? []).some((r) => {
      const call = index.callsByRequestId.get(r.requestId);
      return r.outcome !== 'complete' || r.faults.length > 0 || (call !== undefined && !endedWithReply(call, history, index));
    });
    // A connection the server faulted (TLS, connect) is lost whoever closed it in the end.
    const faulted = (socket.faults ?? []).length > 0;
    if (socket.end !== 'client-fin' || failedOnIt || faulted) times.push(socket.endedAt);
  }
  return times.sort((a, b) => a - b);
}

function idleOpen(history: RunHistory, index: HistoryIndex, opened: Opened[]): PassedOver[] {
  const found: PassedOver[] = [];
  const lost = losses(history, index);
  let replaced = 0;
  for (const { socket: fresh, call } of opened) {
    for (const idle of history.server.sockets) {
      if (idle === fresh || idle.handshakeAt === null || idle.acceptedAt >= call.issuedAt) continue;
      // Closed as the new one opened (to make room, or lost): not idle. Its end at close() says nothing of that.
      if (idle.endedAt !== null && idle.endedAt < history.closeCalledAt && idle.endedAt <= fresh.acceptedAt + CLOSE_LAG_MS) {
        continue;
      }
      const last = lastHealthy(idle, call.issuedAt, history, index);
      const outOfProcess = history.traits.outOfProcess === true;
      if (last === null || !knewFree(last.call, call, outOfProcess)) continue;
      // Taken meanwhile? By the client's clock: the next call on it issued before this one had it, however late its
      // request reached the server on a loaded machine.
      const next = (index.requestsBySocket.get(idle.socketId) ?? []).find((r) => r.arrivedAt > last.request.arrivedAt);
      const nextCall = next === undefined ? undefined : index.callsByRequestId.get(next.requestId);
      if (next !== undefined && (nextCall === undefined || nextCall.issuedAt <= call.issuedAt)) continue;
      // A worker's threads reach its pool in their own order, not crosstalk's: the idle socket handed to another call
      // while the new one was still in its handshake was reused, whoever asked first.
      if (outOfProcess && next !== undefined && next.arrivedAt <= (fresh.handshakeAt ?? fresh.acceptedAt)) continue;
      if (history.traits.socketsPerTenant && index.callsByRequestId.get(last.request.requestId)?.tenant !== call.tenant) {
        continue;
      }
      // A socket lost before this one opened, not yet replaced: this one may be its replacement.
      if (lost.filter((t) => t <= fresh.acceptedAt + CLOSE_LAG_MS).length > replaced) {
        replaced += 1;
        break;
      }
      found.push({
        kind: 'idle-open',
        violation: {
          invariant: 'reuse',
          callerId: call.callerId,
          opId: call.opId,
          requestId: call.requestId,
          socketId: fresh.socketId,
          culpritRequestId: last.request.requestId,
          message:
            `${nameCall(call)} went out on a new socket ${fresh.socketId} while socket ${idle.socketId} sat idle and ` +
            `healthy: its reply to ${last.request.requestId} had been delivered ${(call.issuedAt - last.settled).toFixed(1)} ` +
            `ms before the call, and no earlier call had taken it since. Idle sockets were not reused.`,
        },
      });
      break;
    }
  }
  return found;
}

function dropped(history: RunHistory, index: HistoryIndex, opened: Opened[]): PassedOver[] {
  const found: PassedOver[] = [];
  const failures = failureTimes(history, index);
  const limit = history.traits.maxRequestsPerSocket;
  for (const socket of history.server.sockets) {
    const endedAt = socket.endedAt;
    if (socket.end !== 'client-fin' || endedAt === null || endedAt >= history.closeCalledAt) continue;
    const requests = index.requestsBySocket.get(socket.socketId) ?? [];
    const last = requests.length === 0 ? null : lastHealthy(socket, Infinity, history, index);
    if (last === null || endedAt - last.settled >= KEEP_ALIVE_FLOOR_MS) continue;
    if (limit !== null && requests.length >= limit) continue;
    // From whichever came first, the caller's reply or the server's last byte (their clocks race on a busy machine).
    const from = Math.min(last.settled, last.request.lastByteAt ?? last.settled);
    if (failures.some((t) => t >= from && t <= endedAt + CLOSE_LAG_MS)) continue;
    // Dropping it cost something only if a later call, issued once that reply was in, needed a new socket.
    const replacement = opened.find((o) => o.socket.acceptedAt >= endedAt - CLOSE_LAG_MS && o.call.issuedAt >= last.settled);
    if (replacement === undefined) continue;
    found.push({
      kind: 'dropped',
      violation: {
        invariant: 'reuse',
        callerId: replacement.call.callerId,
        opId: replacement.call.opId,
        requestId: replacement.call.requestId,
        socketId: socket.socketId,
        culpritRequestId: last.request.requestId,
        message:
          `the client closed socket ${socket.socketId} ${Math.max(0, endedAt - last.settled).toFixed(1)} ms after its healthy ` +
          `reply to ${last.request.requestId}, and ${nameCall(replacement.call)} then needed a new socket ` +
          `${replacement.socket.socketId}: keep-alive was dropped (a client that closes its sockets after each response ` +
          'is not reusing them; one that means to says reuses: false).',
      },
    });
  }
  return found;
}
