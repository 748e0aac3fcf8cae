import { CrosstalkError } from '../errors.js';
import { HISTORY_SCHEMA, type RequestRecord, type ServerHistory, type SocketRecord } from '../history/records.js';
import { shortDigest } from './digest.js';
import { RecordWindow } from './record-window.js';

/** How many sockets, and how many requests, a recorder keeps by default (more while a mark needs them). */
export const DEFAULT_RETAINED_RECORDS = 1_000;

/** A position in the history (counts of records ever made); `since(mark)` returns what was recorded after it. */
export interface RecorderMark {
  readonly sockets: number;
  readonly requests: number;
}

/** Told of each request as it arrives (headers parsed), before any response. The record fills in later. */
export type RequestArrivedListener = (request: Readonly<RequestRecord>) => void;

/** The reading side: what tests and the engine use. */
export interface Recorder {
  /** Every record still held (see HistoryRecorder), deep-copied, digests computed. */
  snapshot(): ServerHistory;
  mark(): RecorderMark;
  /**
   * Sockets accepted after `mark` and requests that arrived after it (possibly on older, kept-alive sockets). Throws
   * `CROSSTALK_RECORDER_WINDOW` for a mark older than the records still held.
   */
  since(mark: RecorderMark): ServerHistory;
  /** How many records of each kind are held in memory now (the bound a long-lived server stays under). */
  held(): { sockets: number; requests: number };
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
 * Appends socket and request records in arrival order, in bounded memory: it holds the newest `retain` sockets and
 * the newest `retain` requests, and more only while the newest mark needs them (a run in progress reads all of its
 * own records, however many). A long-lived server therefore stays flat however many runs it serves, and whoever wants
 * everything streams it to the sink. With `retain` 0 and no mark it holds nothing (the no-op recorder the benchmark
 * compares against); records still reach the sink, if there is one.
 */
export class HistoryRecorder implements Recorder {
  private readonly sockets = new RecordWindow<SocketRecord>();
  private readonly requests = new RecordWindow<RequestEntry>();
  private newestMark: RecorderMark | undefined;
  private arrived: RequestArrivedListener | undefined;
  private sink: RecordSink | undefined;

  constructor(private readonly retain = DEFAULT_RETAINED_RECORDS) {
    if (!Number.isSafeInteger(retain) || retain < 0) throw new RangeError(`retain must be a whole number ≥ 0 (got ${retain})`);
  }

  setSink(sink: RecordSink | undefined): void {
    this.sink = sink;
  }

  onRequestArrived(listener: RequestArrivedListener | undefined): void {
    this.arrived = listener;
  }

  socketAccepted(record: SocketRecord): void {
    this.sockets.push(record);
    this.sockets.dropBefore(Math.min(this.newestMark?.sockets ?? Infinity, this.sockets.total - this.retain));
  }

  socketClosed(record: SocketRecord): void {
    this.sink?.socketClosed(record);
  }

  requestArrived(entry: RequestEntry): void {
    this.requests.push(entry);
    this.requests.dropBefore(Math.min(this.newestMark?.requests ?? Infinity, this.requests.total - this.retain));
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
    else if (this.retain === 0 && this.newestMark === undefined) {
      entry.body = undefined;
      entry.credentialHeader = undefined;
    }
  }

  /** A mark also tells the recorder what it may forget: records before the newest mark are kept only up to `retain`. */
  mark(): RecorderMark {
    const mark = { sockets: this.sockets.total, requests: this.requests.total };
    this.newestMark = mark;
    return mark;
  }

  /** Records held now: the newest `retain` of each kind, or all since the newest mark if those are more. */
  held(): { sockets: number; requests: number } {
    return { sockets: this.sockets.held, requests: this.requests.held };
  }

  snapshot(): ServerHistory {
    return this.read(this.sockets.start, this.requests.start);
  }

  since(mark: RecorderMark): ServerHistory {
    if (mark.sockets < this.sockets.start || mark.requests < this.requests.start) {
      throw new CrosstalkError(
        'CROSSTALK_RECORDER_WINDOW',
        `the recorder no longer holds the records after this mark: it keeps the newest ${this.retain} and those ` +
          `since the newest mark (take a newer mark, or start the server with a larger retainRecords)`,
      );
    }
    return this.read(mark.sockets, mark.requests);
  }

  private read(fromSocket: number, fromRequest: number): ServerHistory {
    const requests: RequestRecord[] = [];
    for (const entry of this.requests.slice(fromRequest)) {
      settleDigests(entry);
      requests.push({ ...entry.record, faults: [...entry.record.faults] });
    }
    const sockets = this.sockets.slice(fromSocket).map((socket) => ({ ...socket }));
    return { schema: HISTORY_SCHEMA, sockets, requests };
  }
}
