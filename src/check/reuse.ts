import { peakConcurrentCallers } from '../history/history-index.js';
import type { SocketRecord } from '../history/records.js';
import { BREAKING_FAULTS, CLOSING_FAULTS } from '../scenario/fault-names.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

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
    for (const [socketId, list] of index.requestsBySocket) {
      const closing = list.find((r) => r.faults.some((f) => CLOSING_FAULTS.has(f)));
      if (closing === undefined) continue;
      for (const late of list.filter((r) => r.seq > closing.seq)) {
        const call = index.callsByRequestId.get(late.requestId);
        violations.push({
          invariant: 'reuse',
          socketId,
          requestId: late.requestId,
          callerId: call?.callerId,
          opId: call?.opId,
          culpritRequestId: closing.requestId,
          message:
            `request ${late.requestId} was written on socket ${socketId} after the server closed it ` +
            `(${closing.faults.filter((f) => CLOSING_FAULTS.has(f)).join(', ')} on request ${closing.requestId}).`,
        });
      }
    }

    if (!history.traits.reuses) {
      return result('reuse', requests > 0, violations, figures, [
        `not reusing by design: ${history.calls.length} calls, ${handshakes} TLS handshakes`,
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
    const notes: string[] = [];
    if (handshakes > allowed) {
      violations.push({
        invariant: 'reuse',
        message:
          `the client opened ${handshakes} sockets (TLS handshakes) for ${requests} requests, but its bound is ` +
          `${bound ?? 'unset'}` +
          (bound === null ? ` and at most ${demand} callers were waiting at once` : '') +
          (replacements > 0 ? `, plus ${replacements} replacements for sockets lost to closes or failures` : '') +
          `: at most ${allowed} were needed. Idle sockets were not reused.`,
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
