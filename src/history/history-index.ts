import type { RequestRecord, SocketRecord } from './records.js';
import type { CallRecord, RunHistory } from './run-history.js';

/** Lookups the checks share, built once per run. */
export interface HistoryIndex {
  callsByRequestId: Map<string, CallRecord>;
  /** Server records by request id; more than one when the client sent the request more than once. */
  requestsById: Map<string, RequestRecord[]>;
  /** Server records by the digest of the body the server produced, to name the culprit of a cross-talk. */
  requestsByDigest: Map<string, RequestRecord[]>;
  socketsById: Map<number, SocketRecord>;
  requestsBySocket: Map<number, RequestRecord[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export function indexHistory(history: RunHistory): HistoryIndex {
  const index: HistoryIndex = {
    callsByRequestId: new Map(history.calls.map((call) => [call.requestId, call])),
    requestsById: new Map(),
    requestsByDigest: new Map(),
    socketsById: new Map(history.server.sockets.map((socket) => [socket.socketId, socket])),
    requestsBySocket: new Map(),
  };
  for (const request of history.server.requests) {
    push(index.requestsById, request.requestId, request);
    if (request.bodyDigest !== null) push(index.requestsByDigest, request.bodyDigest, request);
    push(index.requestsBySocket, request.socketId, request);
  }
  for (const list of index.requestsBySocket.values()) list.sort((a, b) => a.seq - b.seq);
  return index;
}

/** `c1-o0 (caller c1, request r3-c1-o0)`: how reports name a call. */
export function nameCall(call: CallRecord): string {
  return `${call.opId} (caller ${call.callerId} as ${call.username}, request ${call.requestId})`;
}

/** The most callers with a call outstanding at once; `slackMs` stretches each call's end (pool release lag). */
export function peakConcurrentCallers(calls: CallRecord[], endOfRun: number, slackMs = 0): number {
  const byCaller = new Map<string, Array<[number, number]>>();
  for (const call of calls) push(byCaller, call.callerId, [call.issuedAt, (call.settledAt ?? endOfRun) + slackMs]);
  const events: Array<[number, number]> = [];
  for (const intervals of byCaller.values()) {
    // One caller is never concurrent with itself: merge its stretched intervals first.
    intervals.sort((a, b) => a[0] - b[0]);
    let current: [number, number] | undefined;
    for (const interval of intervals) {
      if (current !== undefined && interval[0] <= current[1]) current[1] = Math.max(current[1], interval[1]);
      else {
        if (current !== undefined) events.push([current[0], 1], [current[1], -1]);
        current = [interval[0], interval[1]];
      }
    }
    if (current !== undefined) events.push([current[0], 1], [current[1], -1]);
  }
  return maxOverlap(events);
}

/** Sweep: the highest running sum of +1/-1 events; ends sort before starts at the same instant. */
export function maxOverlap(events: Array<[number, number]>): number {
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, delta] of events) {
    current += delta;
    peak = Math.max(peak, current);
  }
  return peak;
}
