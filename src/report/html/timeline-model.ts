import type { CheckResult } from '../../check/index.js';
import type { RequestRecord, SocketRecord } from '../../history/records.js';
import type { CallRecord, RunHistory } from '../../history/run-history.js';
import { callDetails, requestDetails } from './timeline-details.js';
import { highlightViolations } from './timeline-highlights.js';
import { callMarks, runRules, socketMarks, timedMarks } from './timeline-marks.js';
import type { BarTone, TimelineBar, TimelineLane, TimelineMark, TimelineModel } from './timeline-types.js';

/**
 * The timeline of one run, from its history and its checks: a lane per socket (each request a bar from arrival to
 * last byte, in its caller's colour), a lane per caller (each call a bar from issue to settle), the socket and call
 * events as marks, and the violations tied to the bars and lanes they name. It reads only the fields it draws, so a
 * history with more fields than these draws the same.
 */
export function timelineModel(history: RunHistory, checks: readonly CheckResult[]): TimelineModel {
  const t0 = history.startedAt;
  const rel = (at: number) => round(at - t0);
  const callers = history.scenario.callers.map((c) => c.callerId);
  for (const call of history.calls) if (!callers.includes(call.callerId)) callers.push(call.callerId);
  const colorOf = (callerId: string | null) => (callerId === null ? -1 : callers.indexOf(callerId));
  const callsByRequestId = new Map(history.calls.map((call) => [call.requestId, call]));

  const end = lastMoment(history);
  const bars: TimelineBar[] = [];
  const marks: TimelineMark[] = [];
  const lanes: TimelineLane[] = [];

  const sockets = [...history.server.sockets].sort((a, b) => a.socketId - b.socketId);
  const requestsBySocket = new Map<number, RequestRecord[]>();
  for (const request of history.server.requests) {
    const list = requestsBySocket.get(request.socketId) ?? [];
    list.push(request);
    requestsBySocket.set(request.socketId, list);
  }
  // A request on a socket the server history does not list still gets a lane.
  for (const socketId of requestsBySocket.keys()) {
    if (!sockets.some((s) => s.socketId === socketId)) sockets.push(placeholderSocket(socketId, requestsBySocket.get(socketId)!));
  }

  for (const socket of sockets) {
    const lane = `socket:${socket.socketId}`;
    const requests = [...(requestsBySocket.get(socket.socketId) ?? [])].sort((a, b) => a.seq - b.seq);
    const laneBars = requests.map((request): TimelineBar => {
      const call = callsByRequestId.get(request.requestId) ?? null;
      const stop = request.lastByteAt ?? socket.endedAt ?? end;
      return {
        id: `req:${request.socketId}:${request.seq}`,
        kind: 'request',
        lane,
        row: 0,
        from: rel(request.arrivedAt),
        to: rel(Math.max(stop, request.arrivedAt)),
        open: request.lastByteAt === null,
        label: `${request.requestId} ${request.status || ''}`.trim(),
        tone: requestTone(request),
        color: colorOf(call?.callerId ?? null),
        requestId: request.requestId,
        callerId: call?.callerId ?? null,
        socketId: request.socketId,
        faults: [...request.faults],
        details: requestDetails(request, call, rel),
        highlight: false,
      };
    });
    const rows = packRows(laneBars);
    bars.push(...laneBars);
    lanes.push({
      id: lane,
      kind: 'socket',
      label: `socket ${socket.socketId}`,
      detail: `${requests.length} request${requests.length === 1 ? '' : 's'}${socket.resumed ? ' · resumed' : ''}`,
      rows,
      highlight: false,
      life: {
        from: rel(socket.acceptedAt),
        handshake: socket.handshakeAt === null ? null : rel(socket.handshakeAt),
        to: socket.endedAt === null ? null : rel(socket.endedAt),
      },
    });
    marks.push(...socketMarks(socket, lane, rel));
    for (const request of requests) {
      if (request.faults.length > 0) {
        marks.push({ lane, at: rel(request.arrivedAt), kind: 'fault', label: `fault on ${request.requestId}: ${request.faults.join(', ')}`, highlight: false });
      }
    }
  }

  const opsById = new Map(history.scenario.callers.flatMap((c) => c.ops.map((op) => [op.opId, op] as const)));
  for (const callerId of callers) {
    const lane = `caller:${callerId}`;
    const calls = history.calls.filter((c) => c.callerId === callerId).sort((a, b) => a.issuedAt - b.issuedAt);
    const plan = history.scenario.callers.find((c) => c.callerId === callerId);
    const laneBars = calls.map((call): TimelineBar => {
      const records = history.server.requests.filter((r) => r.requestId === call.requestId);
      return {
        id: `call:${call.opId}`,
        kind: 'call',
        lane,
        row: 0,
        from: rel(call.issuedAt),
        to: rel(Math.max(call.settledAt ?? history.callsEndedAt, call.issuedAt)),
        open: call.settledAt === null,
        label: `${call.opId} ${callLabel(call)}`,
        tone: callTone(call),
        color: colorOf(callerId),
        requestId: call.requestId,
        callerId,
        socketId: records.length === 1 ? records[0]!.socketId : null,
        faults: plannedFaults(opsById.get(call.opId)),
        details: callDetails(call, records, opsById.get(call.opId), rel),
        highlight: false,
      };
    });
    const rows = packRows(laneBars);
    bars.push(...laneBars);
    const tenant = plan?.tenant ?? calls[0]?.tenant ?? '';
    const user = calls[0]?.username;
    lanes.push({
      id: lane,
      kind: 'caller',
      label: callerId,
      detail: user !== undefined && user !== tenant ? `${tenant} (${user})` : tenant,
      rows,
      highlight: false,
    });
    for (const call of calls) marks.push(...callMarks(call, lane, opsById.get(call.opId), history, rel));
  }
  marks.push(...timedMarks(history, rel));

  const links = history.calls.flatMap((call) =>
    bars
      .filter((bar) => bar.kind === 'request' && bar.requestId === call.requestId)
      .map((bar) => ({ from: `call:${call.opId}`, to: bar.id, kind: 'own' as const, highlight: false })),
  );
  const model: TimelineModel = {
    duration: round(Math.max(1, (end - t0) * 1.02)),
    lanes,
    bars,
    marks,
    rules: runRules(history, end, rel),
    links,
    violations: [],
  };
  highlightViolations(model, checks);
  return model;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The last moment anything in the history happened: the right end of the picture. */
function lastMoment(history: RunHistory): number {
  const times = [
    history.callsEndedAt,
    history.closeCalledAt,
    history.closeReturnedAt,
    history.socketsClosedAt,
    ...history.calls.map((c) => c.settledAt),
    ...history.server.requests.flatMap((r) => [r.arrivedAt, r.lastByteAt]),
    ...history.server.sockets.flatMap((s) => [s.acceptedAt, s.endedAt]),
  ];
  return Math.max(history.startedAt, ...times.filter((t): t is number => typeof t === 'number'));
}

function placeholderSocket(socketId: number, requests: RequestRecord[]): SocketRecord {
  const from = Math.min(...requests.map((r) => r.arrivedAt));
  return { socketId, remotePort: 0, acceptedAt: from, handshakeAt: null, resumed: false, alpn: null, endedAt: null, end: 'open', endDetail: null, requestCount: requests.length };
}

/** Greedy interval packing: each bar on the first row where it does not overlap the previous bar. Returns rows used. */
function packRows(bars: TimelineBar[]): number {
  const rowEnds: number[] = [];
  for (const bar of [...bars].sort((a, b) => a.from - b.from)) {
    let row = rowEnds.findIndex((endAt) => endAt <= bar.from);
    if (row === -1) row = rowEnds.push(0) - 1;
    rowEnds[row] = bar.to;
    bar.row = row;
  }
  return Math.max(1, rowEnds.length);
}

function requestTone(request: RequestRecord): BarTone {
  if (request.outcome === 'reset') return 'reset';
  if (request.outcome === 'closed-early') return 'closed-early';
  if (request.outcome === 'rejected') return 'rejected';
  return request.status >= 400 ? 'http-error' : 'ok';
}

function callTone(call: CallRecord): BarTone {
  switch (call.outcome.type) {
    case 'response':
      return call.outcome.status >= 400 ? 'http-error' : 'ok';
    case 'error':
      return 'client-error';
    case 'aborted':
      return 'aborted';
    default:
      return 'hung';
  }
}

function callLabel(call: CallRecord): string {
  switch (call.outcome.type) {
    case 'response':
      return String(call.outcome.status);
    case 'error':
      return call.outcome.code;
    default:
      return call.outcome.type;
  }
}

/** The faults the scenario planned for an operation's response, if the plan names them. */
function plannedFaults(op: unknown): string[] {
  const faults = (op as { response?: { faults?: unknown } } | undefined)?.response?.faults;
  return Array.isArray(faults) ? faults.filter((f): f is string => typeof f === 'string') : [];
}
