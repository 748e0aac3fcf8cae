import { peakConcurrentCallers } from '../history/history-index.js';
import type { RequestRecord, SocketRecord } from '../history/records.js';
import { BREAKING_FAULTS, FAULT } from '../scenario/fault-names.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

/** Server closes that were not announced in the response: the client learns of them only when the FIN arrives. */
const SILENT_CLOSES: ReadonlySet<string> = new Set([`fault:${FAULT.finAfter}`, `fault:${FAULT.idleClose}`]);

/**
 * How long after an unannounced close a request may still arrive as a race (written before the client could have
 * read the FIN). Generous, for a noisy machine; ignoring a FIN is still visible past it after an idle gap.
 */
export const FIN_RACE_MS = 50;

/** A pool frees a socket a moment after its caller has the body; demand is stretched by this much (for notes). */
export const RELEASE_LAG_MS = 5;

/**
 * Sockets are reused: the client opens no more sockets than the demand it saw needs (plus replacements for sockets
 * that the server or a failure took away), and never writes a request on a socket after the server closed it or
 * announced `Connection: close`.
 */
export const reuse: Invariant = {
  id: 'reuse',
  title: 'Sockets reused correctly',
  rule: 'the client reuses idle sockets instead of opening new ones, and never reuses one the server closed',
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
      if (socket?.endedAt == null || !SILENT_CLOSES.has(socket.endDetail ?? '')) continue;
      for (const late of list.filter((r) => r.arrivedAt > socket.endedAt!)) {
        const gap = late.arrivedAt - socket.endedAt;
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

    // Sockets taken away mid-run (server close, reset, error, or a request on it that failed or was aborted)
    // justify a replacement.
    const failedOn = new Set<number>();
    for (const request of history.server.requests) {
      const call = index.callsByRequestId.get(request.requestId);
      const callFailed = call !== undefined && call.outcome.type !== 'response';
      if (request.outcome !== 'complete' || callFailed || request.faults.some((f) => BREAKING_FAULTS.has(f))) {
        failedOn.add(request.socketId);
      }
    }
    // Calls that failed before reaching the server (an abort while queued) may also cost a socket.
    const unplacedFailures = history.calls.filter(
      (c) => c.outcome.type !== 'response' && !index.requestsById.has(c.requestId),
    ).length;
    const replaced = (s: SocketRecord) =>
      s.endedAt !== null && s.endedAt <= history.callsEndedAt && (s.end !== 'client-fin' || failedOn.has(s.socketId));
    const replacements = handshaken.filter(replaced).length + unplacedFailures;
    // A pool may warm up to its bound (undici's Pool spreads even sequential requests over its connections); what
    // it may not do is keep opening sockets beyond that: that is not reusing them. A client without a bound that
    // still claims reuse needs no more sockets than callers waiting at once.
    const demand = peakConcurrentCallers(history.calls, history.callsEndedAt, RELEASE_LAG_MS);
    const bound = history.traits.maxSockets;
    const allowed = (bound ?? Math.max(1, demand)) + replacements;
    if (handshakes > allowed) {
      const opened = [...handshaken].sort((a, b) => a.acceptedAt - b.acceptedAt);
      const first = opened[allowed];
      violations.push({
        invariant: 'reuse',
        socketId: first?.socketId,
        requestId: first === undefined ? undefined : index.requestsBySocket.get(first.socketId)?.[0]?.requestId,
        message:
          `the client opened ${handshakes} sockets (TLS handshakes) for ${requests} requests, but its bound is ` +
          `${bound ?? 'unset'}` +
          (bound === null ? ` and at most ${demand} callers were waiting at once` : '') +
          (replacements > 0 ? `, plus ${replacements} replacements for sockets lost to closes or failures` : '') +
          `: at most ${allowed} were needed; socket ${first?.socketId ?? '?'} was the first beyond that ` +
          `(sockets ${opened.map((o) => o.socketId).join(', ')}). Idle sockets were not reused.`,
      });
    } else if (handshakes > Math.max(1, demand) + replacements) {
      notes.push(
        `opened up to ${handshakes} sockets where ${Math.max(1, demand)} would have done: it spreads requests over its bound`,
      );
    }
    const exercised = history.calls.length >= 2 && requests >= 2;
    return result('reuse', exercised, violations, { ...figures, allowedHandshakes: allowed }, notes);
  },
};
