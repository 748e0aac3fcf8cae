import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into lines (`\n`, with an optional `\r` before it). A line longer than `maxChars` without its
 * newline is reported once through `onOverflow` and then dropped up to its end, so one runaway line cannot exhaust
 * memory.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private overflowing = false;

  constructor(
    private readonly maxChars: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (start: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    while (text.length > 0) {
      const newline = text.indexOf('\n');
      if (newline === -1) {
        this.append(text);
        return;
      }
      this.append(text.slice(0, newline));
      text = text.slice(newline + 1);
      const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
      this.partial = '';
      if (this.overflowing) this.overflowing = false;
      else this.onLine(line);
    }
  }

  /** What was left without a newline when the stream ended. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0 && !this.overflowing) this.onLine(rest);
  }

  private append(text: string): void {
    if (this.overflowing) return;
    this.partial += text;
    if (this.partial.length > this.maxChars) {
      this.overflowing = true;
      this.onOverflow(this.partial.slice(0, 200));
      this.partial = '';
    }
  }
}

/** The last lines of a stream (a worker's stderr), kept for diagnoses, never parsed. */
export class LineTail {
  private readonly lines: string[] = [];
  private readonly splitter: LineSplitter;

  constructor(private readonly keep: number) {
    const add = (line: string) => {
      this.lines.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
      if (this.lines.length > this.keep) this.lines.shift();
    };
    this.splitter = new LineSplitter(64 * 1024, add, (start) => add(`${start}… (a very long line)`));
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  end(): void {
    this.splitter.end();
  }

  text(): string[] {
    return [...this.lines];
  }
}
