import { peakConcurrentCallers } from '../history/history-index.js';
import type { RequestRecord } from '../history/records.js';
import { FAULT, UNANNOUNCED_CLOSES } from '../scenario/fault-names.js';
import { passedOverSockets, RELEASE_LAG_MS } from './idle-sockets.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

/**
 * How long after an unannounced close a request may still arrive as a race (written before the client could have
 * read the FIN). Generous, for a noisy machine; ignoring a FIN is still visible past it after an idle gap.
 */
export const FIN_RACE_MS = 50;

/**
 * Sockets are reused: a client never opens a new socket for a call while one of its own sits idle and healthy, nor
 * drops a healthy socket right after its reply only to open another (see idle-sockets.ts for what is legitimate:
 * retries on a fresh socket, idle timeouts, discarding idle sockets after a failure, warming up ahead of demand);
 * and it never writes a request on a socket after the server closed it or announced `Connection: close`.
 */
export const reuse: Invariant = {
  id: 'reuse',
  title: 'Sockets reused correctly',
  rule: 'the client reuses its idle sockets instead of opening new ones, and never reuses one the server closed',
  check(history, index) {
    const violations: Violation[] = [];
    const handshaken = history.server.sockets.filter((s) => s.handshakeAt !== null);
    const handshakes = handshaken.length;
    const requests = history.server.requests.length;
    const resumed = handshaken.filter((s) => s.resumed).length;
    const figures = { handshakes, requests, resumed, sockets: history.server.sockets.length };

    // Requests written after the server said or did close.
    const notes: string[] = [];
    const lateWrite = (late: RequestRecord, socketId: number) => {
      const call = index.callsByRequestId.get(late.requestId);
      return { invariant: 'reuse' as const, socketId, requestId: late.requestId, callerId: call?.callerId, opId: call?.opId };
    };
    for (const [socketId, list] of index.requestsBySocket) {
      // A request the server read as the withheld body of the one before it (Expect: 100-continue, no 100 given).
      for (const late of list.filter((r) => r.faults.includes(FAULT.readAsBody))) {
        const owed = [...list].reverse().find((r) => r.seq < late.seq);
        violations.push({
          ...lateWrite(late, socketId),
          ...(owed === undefined ? {} : { culpritRequestId: owed.requestId }),
          message:
            `request ${late.requestId} was written on socket ${socketId} while the body of ` +
            `${owed?.requestId ?? 'the request before it'} was still owed: that request asked for Expect: ` +
            '100-continue and got a final status without a 100, and the client kept the socket without sending the ' +
            `body it had announced, so the server read ${late.requestId} as that body.`,
        });
      }
      const announced = list.find((r) => r.faults.includes(FAULT.connectionClose));
      if (announced !== undefined) {
        for (const late of list.filter((r) => r.seq > announced.seq)) {
          violations.push({
            ...lateWrite(late, socketId),
            culpritRequestId: announced.requestId,
            message:
              `request ${late.requestId} was written on socket ${socketId} after the server announced ` +
              `Connection: close on request ${announced.requestId} there.`,
          });
        }
        continue;
      }
      const socket = index.socketsById.get(socketId);
      if (socket?.endedAt == null || !UNANNOUNCED_CLOSES.has(socket.endDetail ?? '')) continue;
      for (const late of list.filter((r) => r.arrivedAt > socket.endedAt!)) {
        const gap = late.arrivedAt - socket.endedAt;
        // A retry on the very socket whose close failed the attempt before it is no race: the client knew.
        const failedHere = list.find((r) => r.seq < late.seq && r.requestId === late.requestId);
        if (failedHere !== undefined) {
          violations.push({
            ...lateWrite(late, socketId),
            culpritRequestId: failedHere.requestId,
            message:
              `request ${late.requestId} was sent again on socket ${socketId}, the socket the server had closed ` +
              `(${socket.endDetail?.replace('fault:', '')}) under its earlier attempt there: a retry must go to a fresh socket.`,
          });
          continue;
        }
        if (gap <= FIN_RACE_MS) {
          notes.push(
            `request ${late.requestId} raced the server's unannounced close of socket ${socketId} ` +
              `(${socket.endDetail?.replace('fault:', '')}, ${gap.toFixed(1)} ms earlier): a known keep-alive race; ` +
              'its caller got an error or a retry, checked by the other invariants.',
          );
          continue;
        }
        violations.push({
          ...lateWrite(late, socketId),
          message:
            `request ${late.requestId} was written on socket ${socketId} ${gap.toFixed(0)} ms after the server closed ` +
            `it (${socket.endDetail?.replace('fault:', '')}): the client ignores the server's FIN on idle sockets.`,
        });
      }
    }

    if (!history.traits.reuses) {
      return result('reuse', requests > 0, violations, figures, [
        `not reusing by design: ${history.calls.length} calls, ${handshakes} TLS handshakes`,
        ...notes,
      ]);
    }

    // New sockets opened while one of the client's own sat idle and healthy, or after it dropped one for nothing.
    const passed = passedOverSockets(history, index);
    const idleOpen = passed.filter((p) => p.kind === 'idle-open');
    const dropped = passed.filter((p) => p.kind === 'dropped');
    for (const group of [idleOpen, dropped]) {
      const first = group[0];
      if (first === undefined) continue;
      const more = group.length - 1;
      violations.push({
        ...first.violation,
        message: first.violation.message + (more > 0 ? ` (${more} more new sockets in this run like it)` : ''),
      });
    }
    const demand = peakConcurrentCallers(history.calls, history.callsEndedAt, RELEASE_LAG_MS);
    if (passed.length === 0 && handshakes > Math.max(1, demand)) {
      notes.push(
        `opened ${handshakes} sockets where ${Math.max(1, demand)} ${demand > 1 ? 'callers' : 'caller'} waited at once: sockets lost to the server or ` +
          'retired, warmed up ahead of demand, or spread over the bound while the others were busy',
      );
    }
    const exercised = history.calls.length >= 2 && requests >= 2;
    return result('reuse', exercised, violations, { ...figures, passedOverIdle: idleOpen.length, droppedHealthy: dropped.length }, notes);
  },
};
