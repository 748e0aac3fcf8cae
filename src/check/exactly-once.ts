import { nameCall } from '../history/history-index.js';
import type { HistoryIndex } from '../history/history-index.js';
import type { RequestRecord } from '../history/records.js';
import type { CallRecord, RunHistory } from '../history/run-history.js';
import { BREAKING_FAULTS } from '../scenario/fault-names.js';
import { rejectedErrorResponse } from './error-status.js';
import { ignoredOwnTimeout } from './own-timeout.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

function describeSockets(history: RunHistory, now: number): string {
  return history.server.sockets
    .map((s) => {
      const state = s.end === 'open' || s.endedAt === null || s.endedAt > now ? 'open' : `ended (${s.end})`;
      return `socket ${s.socketId}: ${state}, ${s.requestCount} requests`;
    })
    .join('; ');
}

function hangMessage(call: CallRecord, history: RunHistory, attempts: RequestRecord[]): string {
  const inFlight = history.calls.filter((c) => c.outcome.type === 'hung').map((c) => c.opId);
  const where =
    attempts.length === 0
      ? 'the server never saw it (stuck in the client, e.g. waiting for a socket that is never released)'
      : `the server answered it on socket ${attempts[attempts.length - 1]!.socketId} (outcome ${attempts[attempts.length - 1]!.outcome})`;
  const when =
    history.endedBy === 'quiescence'
      ? `still pending when the run went quiet (for ${history.quietMs} ms nothing happened: no socket, handshake or ` +
        'request at the server, no write owed, nothing left to release)'
      : `still pending ${history.deadlineMs} ms into the run (the deadline)`;
  return (
    `${nameCall(call)} never ended: ${when}; ${where}. ` +
    `Calls pending then: ${inFlight.join(', ')}. Sockets: ${describeSockets(history, history.callsEndedAt)}.`
  );
}

/** Statuses that ask the client to try again later (with Retry-After): retrying an idempotent request is legitimate. */
const RETRY_LATER: ReadonlySet<number> = new Set([429, 503]);

/** A client timing out is its right; an error well before its own timeout is not a timeout. */
const TIMEOUT_SHARE = 0.9;

/**
 * The server wrote the whole response, nothing was done to that request or its socket, and yet the caller got an
 * error well before its own timeout: the reply was lost inside the client (a parser left out of step by trailers or
 * leftover bytes, a socket handed to someone else).
 */
function lostReply(
  call: CallRecord,
  attempts: RequestRecord[],
  history: RunHistory,
  index: HistoryIndex,
): { socketId: number; message: string } | null {
  if (call.outcome.type !== 'error' || call.settledAt === null) return null;
  if (call.settledAt - call.issuedAt >= history.timeoutMs * TIMEOUT_SHARE) return null;
  // A client that rejects error statuses by design has the error response as its reply (see error-status.ts).
  if (rejectedErrorResponse(call, history, index) !== null) return null;
  const answered = attempts.find((a) => a.outcome === 'complete' && !a.faults.some((f) => BREAKING_FAULTS.has(f)));
  if (answered === undefined) return null;
  const socket = index.socketsById.get(answered.socketId);
  if (socket?.endDetail?.startsWith('fault:') === true) return null;
  return {
    socketId: answered.socketId,
    message:
      `${nameCall(call)} failed with ${call.outcome.code} (${call.outcome.message}) although the server sent its whole ` +
      `${answered.status} response on socket ${answered.socketId} and nothing went wrong there: the reply was lost in the client.`,
  };
}

/**
 * Every call ends; the server saw exactly the requests the callers made, once each. An idempotent GET may be sent
 * again after an attempt the server never finished (a legitimate retry, reported); anything else sent twice — above
 * all a POST — is a violation, and so is a reply for a request the server never saw.
 */
export const exactlyOnce: Invariant = {
  id: 'exactly-once',
  title: 'Exactly once, always an ending',
  rule:
    'every call ends (by the client\'s own timeout when the server stays silent), and every request reaches the server ' +
    'exactly once (a GET may be retried after a failed attempt)',
  check(history, index) {
    const violations: Violation[] = [];
    const notes: string[] = [];
    let retries = 0;
    for (const call of history.calls) {
      const attempts = index.requestsById.get(call.requestId) ?? [];
      const ids = { callerId: call.callerId, opId: call.opId, requestId: call.requestId };
      const timeoutIgnored = ignoredOwnTimeout(call, history, index);
      if (call.outcome.type === 'hung') {
        const message = hangMessage(call, history, attempts) + (timeoutIgnored === null ? '' : ` ${timeoutIgnored}`);
        violations.push({ invariant: 'exactly-once', ...ids, message });
        continue;
      }
      if (timeoutIgnored !== null) {
        violations.push({ invariant: 'exactly-once', ...ids, message: timeoutIgnored });
        continue;
      }
      if (call.outcome.type === 'response' && attempts.length === 0) {
        violations.push({
          invariant: 'exactly-once',
          ...ids,
          message:
            `${nameCall(call)} got a ${call.outcome.status} reply, but the server never received that request: ` +
            'the reply was coalesced, cached or made up by the client.',
        });
        continue;
      }
      const lost = lostReply(call, attempts, history, index);
      if (lost !== null) {
        violations.push({ invariant: 'exactly-once', ...ids, socketId: lost.socketId, message: lost.message });
        continue;
      }
      if (attempts.length <= 1) continue;
      retries += attempts.length - 1;
      // A retry is legitimate only after the attempt before it failed: that attempt broke (or was broken by the
      // server) and its socket had ended by the time the retry arrived. A copy sent while the first was still live
      // is a duplicate (a hedge), whatever later became of the first.
      // A 429 or 503 answered in full is the server asking to be asked again: a GET may be resent once it has.
      const retriedAfterFailure = attempts.slice(1).every((retry, i) => {
        const before = attempts[i]!;
        if (before.outcome === 'complete' && RETRY_LATER.has(before.status)) {
          return before.lastByteAt !== null && before.lastByteAt <= retry.arrivedAt;
        }
        const broke = before.outcome !== 'complete' || before.faults.some((f) => BREAKING_FAULTS.has(f));
        const endedAt = index.socketsById.get(before.socketId)?.endedAt ?? null;
        return broke && endedAt !== null && endedAt <= retry.arrivedAt;
      });
      if (call.method === 'GET' && retriedAfterFailure) {
        notes.push(
          `${call.requestId}: GET sent ${attempts.length} times, on sockets ${attempts.map((a) => a.socketId).join(', ')}, ` +
            'after an attempt the server did not finish: a legitimate retry of an idempotent request.',
        );
        continue;
      }
      violations.push({
        invariant: 'exactly-once',
        ...ids,
        socketId: attempts[1]!.socketId,
        message:
          call.method === 'POST'
            ? `${nameCall(call)} is a POST, not idempotent, yet the server received and executed it ${attempts.length} ` +
              `times (sockets ${attempts.map((a) => a.socketId).join(', ')}).`
            : `${nameCall(call)} reached the server ${attempts.length} times (sockets ` +
              `${attempts.map((a) => a.socketId).join(', ')}), and not as a retry after a failed attempt: a duplicate.`,
      });
    }
    for (const request of history.server.requests) {
      if (index.callsByRequestId.has(request.requestId)) continue;
      if (!request.requestIdEchoed && !request.path.includes('/_all_docs')) continue; // e.g. a session login
      const run = /^r(\d+)-/.exec(request.requestId)?.[1];
      if (request.requestIdEchoed && run !== undefined && Number(run) !== history.run) {
        // An earlier run's client, still sending after its run ended: that run's business, not this one's.
        notes.push(`request ${request.requestId}, from run ${run}, arrived during this run on socket ${request.socketId}`);
        continue;
      }
      violations.push({
        invariant: 'exactly-once',
        requestId: request.requestId,
        socketId: request.socketId,
        message: request.requestIdEchoed
          ? `the server received request ${request.requestId} (${request.method} ${request.path}) on socket ${request.socketId}, which no caller made.`
          : `the server received ${request.method} ${request.path} on socket ${request.socketId} without the X-Couch-Request-ID the harness asked for, so it cannot be matched to a caller.`,
      });
    }
    const ended = history.calls.filter((c) => c.outcome.type !== 'hung').length;
    return result('exactly-once', history.calls.length > 0, violations, { calls: history.calls.length, ended, retries }, notes);
  },
};
