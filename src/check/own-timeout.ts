import type { HistoryIndex } from '../history/history-index.js';
import { nameCall } from '../history/history-index.js';
import type { CallRecord, RunHistory } from '../history/run-history.js';
import { FAULT } from '../scenario/fault-names.js';

/**
 * A call the server left unanswered on purpose must end by the client's own timeout: the server's silences
 * (no-response, stalled-body, accept-silent) last several times the `timeoutMs` the client was given, and a call
 * still waiting at this many times that timeout is not honouring it. Twice leaves a correct client's timer all the
 * slack a loaded machine needs, and sits well short of the silence a client that ignores its timeout waits out.
 */
export const OWN_TIMEOUT_FACTOR = 2;

/** Where a call met a deliberate silence, and since when its client had been waiting on it. */
interface SilenceMet {
  since: number;
  where: string;
}

function silenceMet(call: CallRecord, index: HistoryIndex, history: RunHistory): SilenceMet | null {
  const attempts = index.requestsById.get(call.requestId) ?? [];
  for (const attempt of attempts) {
    const fault = attempt.faults.find((f) => f === FAULT.noResponse || f === FAULT.stalledBody);
    if (fault !== undefined) {
      const what = fault === FAULT.noResponse ? 'no response at all' : 'a body that stopped part-way';
      return { since: attempt.arrivedAt, where: `${what} (${fault}) on socket ${attempt.socketId}` };
    }
  }
  if (attempts.length > 0) return null;
  const socket = history.server.sockets.find(
    (s) => s.faultFor === call.requestId && (s.faults ?? []).includes(FAULT.acceptSilent),
  );
  if (socket === undefined) return null;
  return { since: socket.acceptedAt, where: `a connection the server accepted and kept silent (accept-silent, socket ${socket.socketId})` };
}

/**
 * Why `call` shows its client not honouring its own timeout, in words (null when it does, or met no silence). For a
 * hung call this is said in the hang's own message; for one that ended late, it is a violation of its own.
 */
export function ignoredOwnTimeout(call: CallRecord, history: RunHistory, index: HistoryIndex): string | null {
  const met = silenceMet(call, index, history);
  if (met === null) return null;
  const end = call.settledAt ?? history.callsEndedAt;
  const waited = end - met.since;
  // Hung or not, a call that has not yet waited that long may still be within its rights (the run ended first).
  if (waited <= OWN_TIMEOUT_FACTOR * history.timeoutMs) return null;
  const ended = call.outcome.type === 'hung' ? 'and was still waiting when the run ended' : `before it ended (${call.outcome.type})`;
  return (
    `${nameCall(call)} waited ${Math.round(waited)} ms ${ended} on ${met.where}, although the client was configured ` +
    `with a ${history.timeoutMs} ms timeout: the client does not honour the timeout it was given.`
  );
}
