import type { SocketRecord } from '../../history/records.js';
import type { CallRecord, RunHistory } from '../../history/run-history.js';
import { abortText } from './timeline-details.js';
import type { MarkKind, TimelineMark, TimelineRule } from './timeline-types.js';

/** The point events of the timeline: a socket's handshake and end, a call's abort, hang or error, the timed steps. */

const SILENT_CLOSE = new Set(['fault:fin-after', 'fault:idle-close', 'keep-alive-timeout']);

export function socketMarks(socket: SocketRecord, lane: string, rel: (at: number) => number): TimelineMark[] {
  const marks: TimelineMark[] = [];
  if (socket.handshakeAt !== null) {
    marks.push({
      lane,
      at: rel(socket.handshakeAt),
      kind: socket.resumed ? 'resumed' : 'handshake',
      label: socket.resumed ? 'TLS handshake, session resumed' : 'TLS handshake (full)',
      highlight: false,
    });
  } else {
    marks.push({ lane, at: rel(socket.acceptedAt), kind: 'error', label: 'accepted, but the TLS handshake never finished', highlight: false });
  }
  if (socket.endedAt === null) return marks;
  const detail = socket.endDetail === null ? '' : ` (${socket.endDetail.replace(/^fault:/, 'fault ')})`;
  const ended = (kind: MarkKind, label: string) => marks.push({ lane, at: rel(socket.endedAt!), kind, label: label + detail, highlight: false });
  if (socket.end === 'client-fin') ended('client-close', 'the client closed the socket (FIN)');
  else if (socket.end === 'server-close' && SILENT_CLOSE.has(socket.endDetail ?? '')) ended('fin', 'the server closed the socket, unannounced (FIN)');
  else if (socket.end === 'server-close') ended('server-close', 'the server closed the socket');
  else if (socket.end === 'reset') ended('reset', 'the socket was reset (RST)');
  else if (socket.end === 'error') ended('error', 'the socket failed');
  return marks;
}

export function callMarks(call: CallRecord, lane: string, op: unknown, history: RunHistory, rel: (at: number) => number): TimelineMark[] {
  const marks: TimelineMark[] = [];
  const plan = (op as { abort?: { at?: unknown; afterBytes?: unknown } | null } | undefined)?.abort ?? null;
  const where = plan !== null ? abortText(plan) : typeof call.abortAt === 'string' ? abortText({ at: call.abortAt }) : 'abort';
  if (call.outcome.type === 'aborted') {
    marks.push({ lane, at: rel(call.settledAt ?? history.callsEndedAt), kind: 'abort', label: `${call.callerId} gave up on ${call.opId} (${where})`, highlight: false });
  } else if (call.outcome.type === 'hung' && call.abortPlanned) {
    marks.push({ lane, at: rel(history.callsEndedAt), kind: 'abort', label: `${call.callerId} gave up on ${call.opId} (${where}), but the call never settled`, highlight: false });
  }
  if (call.outcome.type === 'hung') {
    const when = history.endedBy === 'quiescence' ? `when the run went quiet (nothing happened for ${history.quietMs} ms)` : 'at the deadline';
    marks.push({ lane, at: rel(history.callsEndedAt), kind: 'hang', label: `${call.opId} still pending ${when}: a hang`, highlight: false });
  }
  if (call.outcome.type === 'error' && call.settledAt !== null) {
    marks.push({ lane, at: rel(call.settledAt), kind: 'error', label: `${call.opId} failed: ${call.outcome.code}`, highlight: false });
  }
  return marks;
}

/**
 * The steps that waited on the wall clock (an idle gap, a release before every request had arrived, an abort left
 * to settle): where a replay on a busier machine could differ. On the lane of the caller they concern.
 */
export function timedMarks(history: RunHistory, rel: (at: number) => number): TimelineMark[] {
  const steps = Array.isArray(history.timedSteps) ? history.timedSteps : [];
  const callerOf = new Map(history.calls.map((c) => [c.opId, c.callerId]));
  return steps.flatMap((step): TimelineMark[] => {
    const callerId = step.opId === undefined ? undefined : callerOf.get(step.opId);
    if (callerId === undefined || typeof step.at !== 'number') return [];
    const label = `timed step (${step.step}, ${Math.round(step.ms)} ms): ${step.detail}`;
    return [{ lane: `caller:${callerId}`, at: rel(step.at), kind: 'timed', label, highlight: false }];
  });
}

const RUN_END: Record<string, string> = {
  quiescence: 'calls ended: the run went quiet (a hang)',
  deadline: "calls ended: crosstalk's deadline (a hang)",
  interrupted: 'calls ended: interrupted',
};

export function runRules(history: RunHistory, end: number, rel: (at: number) => number): TimelineRule[] {
  const rules: TimelineRule[] = [{ at: rel(history.closeCalledAt), label: 'close() called' }];
  const ended = RUN_END[history.endedBy];
  if (ended !== undefined) rules.push({ at: rel(history.callsEndedAt), label: ended });
  // Timed steps that concern no one caller (a partial release) are run-wide.
  for (const step of Array.isArray(history.timedSteps) ? history.timedSteps : []) {
    if (step.opId === undefined && typeof step.at === 'number') rules.push({ at: rel(step.at), label: `timed: ${step.step}` });
  }
  if (history.closeReturnedAt !== null) rules.push({ at: rel(history.closeReturnedAt), label: 'close() returned' });
  if (history.socketsClosedAt !== null) rules.push({ at: rel(history.socketsClosedAt), label: 'every socket closed' });
  const deadline = history.startedAt + history.deadlineMs;
  if (deadline <= end) rules.push({ at: rel(deadline), label: "crosstalk's deadline" });
  return rules;
}
