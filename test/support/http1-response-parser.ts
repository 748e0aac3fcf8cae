/**
 * An incremental HTTP/1.1 response parser: bytes in (split anywhere), events out. It knows nothing of sockets or
 * requests; the connection tells it, per response, whether the request was a HEAD (no body whatever the headers say).
 *
 * Framing follows RFC 9112 §6.3: 1xx, 204 and 304 have no body; otherwise chunked wins over Content-Length; with
 * neither, the body runs to the end of the connection.
 */

export type Headers = Map<string, string[]>;

export interface ResponseHead {
  status: number;
  /** `1.1` or `1.0`. */
  version: string;
  /** Lower-case names; repeated headers keep every value in order. */
  headers: Headers;
  /** Whether the connection may carry another request after this response. */
  keepAlive: boolean;
}

export interface ParserEvents {
  /** The final (non-1xx) head of the response now being read. Interim 1xx heads are skipped, never reported. */
  head(head: ResponseHead): void;
  body(chunk: Buffer): void;
  /** The response is complete; the parser is ready for the next one. */
  end(trailers: Headers): void;
}

export class ResponseParseError extends Error {
  readonly code = 'MINI_POOL_PARSE';
}

/** A head or chunk-size line longer than this is not a server we can trust to resynchronise with. */
const MAX_LINE = 64 * 1024;
const CRLF = Buffer.from('\r\n');

type State =
  | { kind: 'status' }
  | { kind: 'headers'; status: number; version: string; headers: Headers }
  | { kind: 'fixed'; remaining: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'chunk-end' }
  | { kind: 'trailers'; trailers: Headers }
  | { kind: 'until-close' };

export class ResponseParser {
  private state: State = { kind: 'status' };
  private buffered: Buffer = Buffer.alloc(0);
  /** Set by the connection before each response: HEAD responses carry no body. */
  headRequest = false;
  /**
   * Set by the connection while no response is owed: parsing stops at the next response boundary and later bytes
   * stay buffered (`midResponse` then says so) until it is cleared and more bytes are fed.
   */
  hold = false;

  constructor(private readonly events: ParserEvents) {}

  /** True between a response's first byte and its end: bytes are owed to someone. */
  get midResponse(): boolean {
    return this.state.kind !== 'status' || this.buffered.length > 0;
  }

  /** True when the body in progress is delimited by the connection's end. */
  get readsUntilClose(): boolean {
    return this.state.kind === 'until-close';
  }

  feed(data: Buffer): void {
    this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    while (this.step()) {
      // each step consumes input or changes state
    }
  }

  /** The server closed the connection: ends a close-delimited body; anything else in progress is cut short. */
  finish(): void {
    if (this.state.kind === 'until-close') {
      this.state = { kind: 'status' };
      this.events.end(new Map());
    }
  }

  private step(): boolean {
    const state = this.state;
    switch (state.kind) {
      case 'status': {
        if (this.hold) {
          this.skipBlankLines();
          return false;
        }
        const line = this.line();
        if (line === null) return false;
        if (line === '') return true; // tolerate a stray CRLF between responses (RFC 9112 §2.2)
        const match = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(line);
        if (match === null) throw new ResponseParseError(`malformed status line: ${JSON.stringify(line.slice(0, 80))}`);
        this.state = { kind: 'headers', version: match[1]!, status: Number(match[2]), headers: new Map() };
        return true;
      }
      case 'headers': {
        const line = this.line();
        if (line === null) return false;
        if (line !== '') {
          addHeader(state.headers, line);
          return true;
        }
        this.headComplete(state.status, state.version, state.headers);
        return true;
      }
      case 'fixed':
      case 'chunk-data': {
        if (this.buffered.length === 0) return false;
        const take = Math.min(state.remaining, this.buffered.length);
        const chunk = this.take(take);
        state.remaining -= take;
        this.events.body(chunk);
        if (this.state !== state) return true; // the reader ended this response early (see `endEarly`)
        if (state.remaining > 0) return false;
        if (state.kind === 'chunk-data') this.state = { kind: 'chunk-end' };
        else this.complete(new Map());
        return true;
      }
      case 'chunk-size': {
        const line = this.line();
        if (line === null) return false;
        const size = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/.exec(line);
        if (size === null) throw new ResponseParseError(`malformed chunk size: ${JSON.stringify(line.slice(0, 80))}`);
        const length = Number.parseInt(size[1]!, 16);
        if (length === 0) this.lastChunk();
        else this.state = { kind: 'chunk-data', remaining: length };
        return true;
      }
      case 'chunk-end': {
        if (this.buffered.length < 2) return false;
        if (!this.buffered.subarray(0, 2).equals(CRLF)) throw new ResponseParseError('chunk data not followed by CRLF');
        this.take(2);
        this.state = { kind: 'chunk-size' };
        return true;
      }
      case 'trailers': {
        const line = this.line();
        if (line === null) return false;
        if (line === '') this.complete(state.trailers);
        else addHeader(state.trailers, line);
        return true;
      }
      case 'until-close': {
        if (this.buffered.length === 0) return false;
        this.events.body(this.take(this.buffered.length));
        return false;
      }
    }
  }

  /** Whether a 1xx head is interim — skipped, the final head still to come. In HTTP/1.1, every 1xx but 101 is. */
  protected isInterim(status: number): boolean {
    return status >= 100 && status < 200;
  }

  /** The last (zero-size) chunk has been read: the trailer section follows, up to an empty line. */
  protected lastChunk(): void {
    this.state = { kind: 'trailers', trailers: new Map() };
  }

  /**
   * Ends the response being read now, whatever its framing says is left: the next bytes are read as a new response.
   * A correct reader never calls this; it is the seam for readers that stop early.
   */
  endEarly(): void {
    if (this.state.kind !== 'status') this.complete(new Map());
  }

  private headComplete(status: number, version: string, headers: Headers): void {
    if (status === 101) throw new ResponseParseError('unexpected 101 Switching Protocols');
    if (this.isInterim(status)) {
      // 100 Continue, 103 Early Hints …: not the answer; the final status line follows.
      this.state = { kind: 'status' };
      return;
    }
    const connection = tokens(headers, 'connection');
    const keepAlive = version === '1.1' ? !connection.includes('close') : connection.includes('keep-alive');
    const coding = tokens(headers, 'transfer-encoding');
    const lengths = headers.get('content-length') ?? [];
    // RFC 9112 §6.3: a 1xx head (were one ever taken as final), 204 and 304 end at the empty line.
    const noBody = this.headRequest || status < 200 || status === 204 || status === 304;
    let next: State;
    if (noBody) next = { kind: 'status' };
    else if (coding.length > 0 && coding[coding.length - 1] === 'chunked') next = { kind: 'chunk-size' };
    else if (coding.length > 0) next = { kind: 'until-close' };
    else if (lengths.length > 0) {
      const distinct = new Set(lengths.flatMap((v) => v.split(',')).map((v) => v.trim()));
      const [only] = [...distinct];
      if (distinct.size !== 1 || only === undefined || !/^\d+$/.test(only)) {
        throw new ResponseParseError(`invalid Content-Length: ${lengths.join(', ')}`);
      }
      next = { kind: 'fixed', remaining: Number(only) };
    } else next = { kind: 'until-close' };
    // A close-delimited body can never be followed by another response.
    const reusable = keepAlive && next.kind !== 'until-close';
    this.events.head({ status, version, headers, keepAlive: reusable });
    if (next.kind === 'fixed' && next.remaining === 0) next = { kind: 'status' };
    this.state = next;
    if (next.kind === 'status') this.complete(new Map());
  }

  protected complete(trailers: Headers): void {
    this.state = { kind: 'status' };
    this.events.end(trailers);
  }

  /** The next CRLF-terminated line as latin1 text, or null if it has not fully arrived. */
  private line(): string | null {
    const at = this.buffered.indexOf(CRLF);
    if (at === -1) {
      if (this.buffered.length > MAX_LINE) throw new ResponseParseError('line too long');
      return null;
    }
    const text = this.buffered.toString('latin1', 0, at);
    this.take(at + 2);
    return text;
  }

  /** Stray CRLFs between responses are tolerated (RFC 9112 §2.2), even while holding. */
  private skipBlankLines(): void {
    while (this.buffered.length >= 2 && this.buffered[0] === 0x0d && this.buffered[1] === 0x0a) this.take(2);
  }

  private take(length: number): Buffer {
    const taken = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    return taken;
  }
}

function addHeader(headers: Headers, line: string): void {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new ResponseParseError(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1).trim();
  const values = headers.get(name);
  if (values === undefined) headers.set(name, [value]);
  else values.push(value);
}

/** Comma-separated, lower-cased tokens of every value of a header (`Connection`, `Transfer-Encoding`). */
function tokens(headers: Headers, name: string): string[] {
  return (headers.get(name) ?? []).flatMap((value) => value.split(',')).map((t) => t.trim().toLowerCase()).filter(Boolean);
}
