import type { RequestRecord } from '../history/records.js';
import { maxOverlap, peakConcurrentCallers } from '../history/history-index.js';
import type { HistoryIndex } from '../history/history-index.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

/**
 * A socket the client has just closed is still open at the server until its FIN is read; a new connection can be
 * accepted in that instant. A socket that ends within this long of a new one's accept counts as already closing.
 */
export const CLOSE_LAG_MS = 50;

/**
 * Busy = from the request's arrival to the last byte of its response (or the socket's end). For a call its caller
 * gave up on (or that failed), the client's slot is free from the moment the call settled: the server only notices
 * the socket going a little later, and that lag is not the pool's.
 */
function busyEnd(request: RequestRecord, socketEnd: number | null, runEnd: number, index?: HistoryIndex, rejects = false): number {
  const end = request.lastByteAt ?? socketEnd ?? runEnd;
  const call = index?.callsByRequestId.get(request.requestId);
  if (call === undefined || call.outcome.type === 'response' || call.settledAt === null) return end;
  // A client that rejects error statuses by design still owes that socket the rest of the error body.
  if (rejects && request.outcome === 'complete' && request.status >= 400) return end;
  return Math.min(end, call.settledAt);
}

/** The requests in flight, one per socket, at the first moment `count` sockets were busy; the latest opened last. */
function busyAtPeak(index: HistoryIndex, runEnd: number, count: number, rejects: boolean): RequestRecord[] {
  const all = [...index.requestsBySocket.values()].flat();
  for (const candidate of [...all].sort((a, b) => a.arrivedAt - b.arrivedAt)) {
    const at = candidate.arrivedAt;
    const busy = new Map<number, RequestRecord>();
    for (const r of all) {
      const end = busyEnd(r, index.socketsById.get(r.socketId)?.endedAt ?? null, runEnd, index, rejects);
      if (r.arrivedAt <= at && end > at) busy.set(r.socketId, r);
    }
    if (busy.size >= count) return [...busy.values()].sort((a, b) => a.arrivedAt - b.arrivedAt);
  }
  return [];
}

/**
 * The number of sockets open at once, measured at the server, never exceeds the configured bound; at most one
 * request is in flight per socket unless the client pipelines (then at most its depth).
 */
export const poolBound: Invariant = {
  id: 'pool-bound',
  title: 'Pool bound held',
  rule: 'the client never has more sockets open, or more of them busy, than its configured bound',
  check(history, index) {
    const violations: Violation[] = [];
    const runEnd = history.closeCalledAt;
    const bound = history.traits.maxSockets;
    const depth = history.traits.pipelining;
    const rejects = history.traits.rejectsErrorStatus === true;

    // Sockets carrying a request at the same moment: the strict measure, free of close-timing noise.
    const busyEvents: Array<[number, number]> = [];
    for (const [socketId, requests] of index.requestsBySocket) {
      const socket = index.socketsById.get(socketId);
      const intervals = requests.map((r) => [r.arrivedAt, busyEnd(r, socket?.endedAt ?? null, runEnd, index, rejects)] as const);
      // Merge per socket so one socket counts once however many requests it pipelines.
      const merged: Array<[number, number]> = [];
      for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
        const last = merged[merged.length - 1];
        if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
        else merged.push([start, end]);
      }
      for (const [start, end] of merged) busyEvents.push([start, 1], [end, -1]);

      const inFlight = maxOverlap(intervals.flatMap(([start, end]) => [[start, 1], [end, -1]] as Array<[number, number]>));
      if (inFlight > depth) {
        violations.push({
          invariant: 'pool-bound',
          socketId,
          requestId: requests[0]?.requestId,
          message:
            `socket ${socketId} had ${inFlight} requests in flight at once, but the client ` +
            (depth === 1 ? 'does not pipeline' : `pipelines at most ${depth}`) +
            ` (requests ${requests.map((r) => r.requestId).join(', ')}).`,
        });
      }
    }
    const maxBusySockets = maxOverlap(busyEvents);

    // Open sockets at each accept. An excess is a close in transit only if enough of the open sockets end within
    // CLOSE_LAG_MS of that accept, and before the client's own close() began, which ends them all at once. A close
    // already in transit when close() began (a pool retiring an idle socket and warming its replacement just before
    // close(), which is correct) lands after close() began but ahead of its sweep: before any socket opened since.
    let maxOpenSockets = 0;
    let overrun: { at: number; count: number; sockets: number[] } | undefined;
    const byAccept = [...history.server.sockets].sort((a, b) => a.acceptedAt - b.acceptedAt);
    for (const socket of byAccept) {
      const at = socket.acceptedAt;
      const open = byAccept.filter((s) => s.acceptedAt <= at && (s.endedAt ?? Infinity) > at);
      maxOpenSockets = Math.max(maxOpenSockets, open.length);
      if (bound === null || open.length <= bound || overrun !== undefined) continue;
      const sweptAt = Math.min(...open.filter((s) => s.acceptedAt >= at).map((s) => s.endedAt ?? Infinity));
      const closing = open.filter(
        (s) =>
          s.endedAt !== null &&
          s.endedAt - at <= CLOSE_LAG_MS &&
          (s.endedAt < history.closeCalledAt || s.endedAt < sweptAt),
      ).length;
      if (open.length - closing > bound) overrun = { at, count: open.length, sockets: open.map((s) => s.socketId) };
    }

    if (bound !== null && maxBusySockets > bound) {
      const peak = busyAtPeak(index, runEnd, maxBusySockets, rejects);
      const beyond = peak[peak.length - 1];
      violations.push({
        invariant: 'pool-bound',
        socketId: beyond?.socketId,
        requestId: beyond?.requestId,
        message:
          `${maxBusySockets} sockets were carrying requests at the same moment, but the pool is bounded to ${bound}: ` +
          peak.map((r) => `socket ${r.socketId} (request ${r.requestId})`).join(', ') +
          (beyond ? `; socket ${beyond.socketId} was the one opened beyond the bound.` : '.'),
      });
    } else if (bound !== null && overrun !== undefined) {
      violations.push({
        invariant: 'pool-bound',
        message:
          `${overrun.count} sockets were open at once, none of them on its way out, but the pool is bounded to ` +
          `${bound}: sockets ${overrun.sockets.join(', ')}; socket ${overrun.sockets[overrun.sockets.length - 1]} ` +
          'was opened beyond the bound.',
        socketId: overrun.sockets[overrun.sockets.length - 1],
      });
    }
    const demand = peakConcurrentCallers(history.calls, history.callsEndedAt);
    const exercised = bound !== null && demand > bound;
    const notes = bound === null ? ['the client declares no socket bound (a new client per call); only pipelining is checked'] : [];
    return result('pool-bound', exercised, violations, { maxOpenSockets, maxBusySockets, peakDemand: demand }, notes);
  },
};
