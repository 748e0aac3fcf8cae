import { nameCall } from '../history/history-index.js';
import type { HistoryIndex } from '../history/history-index.js';
import type { RequestRecord } from '../history/records.js';
import { FAULT, STRAY_SUFFIX, strayRequestId } from '../scenario/fault-names.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

/**
 * Every reply a caller got is the response the server produced for that caller's own request: the echoed request
 * id is its own, and the body's digest is the digest of a body the server sent for that id.
 */
export const noCrossTalk: Invariant = {
  id: 'no-cross-talk',
  title: 'No response cross-talk',
  rule: "every reply a caller receives is the server's response to that caller's own request",
  check(history, index) {
    const violations: Violation[] = [];
    let checked = 0;
    for (const call of history.calls) {
      const outcome = call.outcome;
      if (outcome.type !== 'response') continue;
      const own = index.requestsById.get(call.requestId) ?? [];
      if (own.length === 0) continue; // never reached the server: exactly-once reports it
      checked += 1;
      const ids = { callerId: call.callerId, opId: call.opId, requestId: call.requestId };
      if (outcome.requestIdSeen !== null && outcome.requestIdSeen !== call.requestId) {
        const stray = strayOrigin(outcome.requestIdSeen, index);
        if (stray !== undefined) {
          violations.push({
            invariant: 'no-cross-talk',
            ...ids,
            culpritRequestId: stray.requestId,
            socketId: stray.socketId,
            message:
              `${nameCall(call)} received the stray response (${outcome.requestIdSeen}) the server wrote on socket ` +
              `${stray.socketId} after its complete reply to ${stray.requestId}: bytes nobody asked for, handed to the ` +
              'next caller on that socket.',
          });
          continue;
        }
        const culprit = history.calls.find((c) => c.requestId === outcome.requestIdSeen);
        const served = index.requestsById.get(outcome.requestIdSeen)?.[0];
        violations.push({
          invariant: 'no-cross-talk',
          ...ids,
          culpritRequestId: outcome.requestIdSeen,
          socketId: served?.socketId,
          message:
            `${nameCall(call)} received the reply to request ${outcome.requestIdSeen}` +
            (culprit ? `, which was ${culprit.callerId}'s ${culprit.opId}` : ', which no caller of this run made') +
            (served ? ` (served on socket ${served.socketId} as request #${served.seq} there)` : '') +
            (served?.faults.includes(FAULT.strayResponse) === true
              ? ': the stray copy the server wrote after that reply, handed to the next caller on the socket.'
              : '.'),
        });
        continue;
      }
      if (own.some((r) => r.bodyDigest === outcome.bodyDigest)) continue;
      const ownRecord = own[own.length - 1]!;
      const culprit = index.requestsByDigest
        .get(outcome.bodyDigest)
        ?.find((r) => r.requestId !== call.requestId);
      if (culprit !== undefined) {
        const culpritCall = index.callsByRequestId.get(culprit.requestId);
        violations.push({
          invariant: 'no-cross-talk',
          ...ids,
          culpritRequestId: culprit.requestId,
          socketId: culprit.socketId,
          message:
            `${nameCall(call)} received a body the server sent for request ${culprit.requestId}` +
            (culpritCall ? ` (${culpritCall.callerId}'s ${culpritCall.opId})` : '') +
            ` on socket ${culprit.socketId}; its own request was served on socket ${ownRecord.socketId}.`,
        });
      } else {
        violations.push({
          invariant: 'no-cross-talk',
          ...ids,
          socketId: ownRecord.socketId,
          message:
            `${nameCall(call)} received ${outcome.bytes} bytes that match no body the server sent in this run ` +
            `(its own response was ${ownRecord.bytes} bytes on socket ${ownRecord.socketId}, outcome ${ownRecord.outcome}): ` +
            'a torn or spliced body.',
        });
      }
    }
    const reusedSocket = [...index.requestsBySocket.values()].some((list) => list.length > 1);
    const overlapping = history.calls.some((a) =>
      history.calls.some(
        (b) => a !== b && a.issuedAt < (b.settledAt ?? Infinity) && b.issuedAt < (a.settledAt ?? Infinity),
      ),
    );
    return result('no-cross-talk', checked >= 2 && (reusedSocket || overlapping), violations, {
      repliesChecked: checked,
    });
  },
};

/** The request an unsolicited stray response with this id followed, if the server wrote one after it. */
function strayOrigin(requestIdSeen: string, index: HistoryIndex): RequestRecord | undefined {
  if (!requestIdSeen.endsWith(STRAY_SUFFIX)) return undefined;
  for (const [requestId, requests] of index.requestsById) {
    if (strayRequestId(requestId) !== requestIdSeen) continue;
    const origin = requests.find((r) => r.faults.includes(FAULT.strayResponse));
    if (origin !== undefined) return origin;
  }
  return undefined;
}
