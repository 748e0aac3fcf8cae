import { HISTORY_SCHEMA, type RequestRecord, type ServerHistory, type SocketRecord } from '../history/records.js';
import { shortDigest } from './digest.js';

/** A position in the history; `since(mark)` returns what was recorded after it. */
export interface RecorderMark {
  readonly sockets: number;
  readonly requests: number;
}

/** Told of each request as it arrives (headers parsed), before any response. The record fills in later. */
export type RequestArrivedListener = (request: Readonly<RequestRecord>) => void;

/** The reading side: what tests and the engine use. */
export interface Recorder {
  /** Everything so far, deep-copied, digests computed. */
  snapshot(): ServerHistory;
  mark(): RecorderMark;
  /** Sockets accepted after `mark` and requests that arrived after it (possibly on older, kept-alive sockets). */
  since(mark: RecorderMark): ServerHistory;
  /** One listener at a time (the engine's); `undefined` removes it. */
  onRequestArrived(listener: RequestArrivedListener | undefined): void;
}

/**
 * A request as the transport tracks it: the record, plus the raw material of its digests, which are computed when
 * the history is read (or by the sink), not on the hot path.
 */
export interface RequestEntry {
  readonly record: RequestRecord;
  /** The raw Authorization (else Cookie) header; dropped once fingerprinted. */
  credentialHeader: string | undefined;
  /** The body the server produced; dropped once digested. */
  body: Buffer | undefined;
  /** Set once the entry has been handed to the sink, so it is handed over exactly once. */
  finished: boolean;
}

/** Where finished records stream to (the JSONL file). */
export interface RecordSink {
  socketClosed(record: SocketRecord): void;
  requestFinished(entry: RequestEntry): void;
}

/** Compute an entry's digests and release what they were computed from. Idempotent. */
export function settleDigests(entry: RequestEntry): void {
  if (entry.credentialHeader !== undefined) {
    entry.record.credential = shortDigest(entry.credentialHeader);
    entry.credentialHeader = undefined;
  }
  if (entry.body !== undefined) {
    entry.record.bodyDigest = shortDigest(entry.body);
    entry.body = undefined;
  }
}

/**
 * Appends socket and request records in arrival order. With `retain: false` it keeps nothing (the no-op recorder
 * the benchmark compares against); records still reach the sink, if there is one.
 */
export class HistoryRecorder implements Recorder {
  private readonly sockets: SocketRecord[] = [];
  private readonly requests: RequestEntry[] = [];
  private arrived: RequestArrivedListener | undefined;
  private sink: RecordSink | undefined;

  constructor(private readonly retain = true) {}

  setSink(sink: RecordSink | undefined): void {
    this.sink = sink;
  }

  onRequestArrived(listener: RequestArrivedListener | undefined): void {
    this.arrived = listener;
  }

  socketAccepted(record: SocketRecord): void {
    if (this.retain) this.sockets.push(record);
  }

  socketClosed(record: SocketRecord): void {
    this.sink?.socketClosed(record);
  }

  requestArrived(entry: RequestEntry): void {
    if (this.retain) this.requests.push(entry);
    if (this.arrived !== undefined) {
      try {
        this.arrived(entry.record);
      } catch (error) {
        // The listener is the engine's; its bug must not take the server (and every other socket) down.
        process.emitWarning(`onRequestArrived listener threw: ${String(error)}`);
      }
    }
  }

  requestFinished(entry: RequestEntry): void {
    if (entry.finished) return;
    entry.finished = true;
    if (this.sink !== undefined) this.sink.requestFinished(entry);
    else if (!this.retain) {
      entry.body = undefined;
      entry.credentialHeader = undefined;
    }
  }

  mark(): RecorderMark {
    return { sockets: this.sockets.length, requests: this.requests.length };
  }

  snapshot(): ServerHistory {
    return this.since({ sockets: 0, requests: 0 });
  }

  since(mark: RecorderMark): ServerHistory {
    const requests: RequestRecord[] = [];
    for (let index = mark.requests; index < this.requests.length; index += 1) {
      const entry = this.requests[index]!;
      settleDigests(entry);
      requests.push({ ...entry.record, faults: [...entry.record.faults] });
    }
    const sockets = this.sockets.slice(mark.sockets).map((socket) => ({ ...socket }));
    return { schema: HISTORY_SCHEMA, sockets, requests };
  }
}
