import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { HISTORY_SCHEMA, type SocketRecord } from '../history/records.js';
import { settleDigests, type RecordSink, type RequestEntry } from './recorder.js';

/** The first line of a history file. */
export interface JsonlHeader {
  type: 'header';
  schema: typeof HISTORY_SCHEMA;
  /** `*At` fields are performance.now() ms of the serving process; this is its timeOrigin (epoch ms). */
  timeOrigin: number;
  startedAt: string;
  /** Records are written when final (a socket when it closes, a request when its response is done). */
  order: 'completion';
}

/**
 * Streams finished records to a file, one JSON object a line, each with a `type` (`socket` | `request`). Work is
 * batched to the next turn of the event loop, so digests, formatting and I/O never sit on the request path.
 */
export class JsonlSink implements RecordSink {
  private queue: Array<SocketRecord | RequestEntry> = [];
  private scheduled: NodeJS.Immediate | undefined;

  private constructor(private readonly stream: WriteStream) {}

  static async open(file: string): Promise<JsonlSink> {
    const stream = createWriteStream(file, { flags: 'w' });
    await once(stream, 'open');
    // A full disk must cost the history file, not the server and every socket on it.
    stream.on('error', (error) => process.emitWarning(`crosstalk: writing ${file} failed: ${String(error)}`));
    const header: JsonlHeader = {
      type: 'header',
      schema: HISTORY_SCHEMA,
      timeOrigin: performance.timeOrigin,
      startedAt: new Date().toISOString(),
      order: 'completion',
    };
    stream.write(`${JSON.stringify(header)}\n`);
    return new JsonlSink(stream);
  }

  socketClosed(record: SocketRecord): void {
    this.enqueue(record);
  }

  requestFinished(entry: RequestEntry): void {
    this.enqueue(entry);
  }

  /** Write what is queued, end the file, and wait until it is on disk. */
  async close(): Promise<void> {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.flush();
    if (this.stream.destroyed) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }

  private enqueue(item: SocketRecord | RequestEntry): void {
    this.queue.push(item);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = undefined;
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    let text = '';
    for (const item of items) {
      if ('record' in item) {
        settleDigests(item);
        text += `${JSON.stringify({ type: 'request', ...item.record })}\n`;
      } else text += `${JSON.stringify({ type: 'socket', ...item })}\n`;
    }
    this.stream.write(text);
  }
}
