import type { HistoryIndex } from '../history/history-index.js';
import type { RequestRecord } from '../history/records.js';
import type { CallRecord, RunHistory } from '../history/run-history.js';
import { BREAKING_FAULTS } from '../scenario/fault-names.js';

/**
 * For a client that rejects error statuses by design (`traits.rejectsErrorStatus`: undici's `throwOnError`, axios's
 * default `validateStatus`), the server's complete error response its call rejected on: that rejection is the reply
 * delivered, not a failure. Null for any other call, or for any other client.
 */
export function rejectedErrorResponse(call: CallRecord, history: RunHistory, index: HistoryIndex): RequestRecord | null {
  if (history.traits.rejectsErrorStatus !== true || call.outcome.type !== 'error') return null;
  const attempts = index.requestsById.get(call.requestId) ?? [];
  const last = attempts[attempts.length - 1];
  if (last === undefined || last.outcome !== 'complete' || last.status < 400) return null;
  return last.faults.some((f) => BREAKING_FAULTS.has(f)) ? null : last;
}

/** The call ended with a reply: a response, or (for a client that rejects error statuses) an error response. */
export function endedWithReply(call: CallRecord, history: RunHistory, index: HistoryIndex): boolean {
  return call.outcome.type === 'response' || rejectedErrorResponse(call, history, index) !== null;
}
