import net from 'node:net';
import tls from 'node:tls';

/** What a raw client saw: every read with its time, how the connection ended. */
export interface RawExchange {
  reads: Array<{ at: number; bytes: Buffer }>;
  text: string;
  /** 'end' for a FIN, 'complete' once a whole response is in, 'timeout', else the error code (ECONNRESET). */
  ending: string;
  /** The client's port: the server's SocketRecord.remotePort for this connection. */
  localPort: number;
}

/**
 * Send bytes over TLS (trusting `ca`) or plain TCP and record each read until the server closes or `timeoutMs`
 * passes. Resolves, never rejects: the outcome is data. The socket is always destroyed before resolving.
 */
export function rawExchange(
  port: number,
  payload: Buffer | string,
  options: { ca?: string; timeoutMs?: number; endAfterWrite?: boolean; stopWhenComplete?: boolean } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const reads: RawExchange['reads'] = [];
    let ending = 'open';
    let settled = false;
    let localPort = 0;
    const socket =
      options.ca === undefined
        ? net.connect(port, '127.0.0.1')
        : tls.connect({ port, host: '127.0.0.1', ca: options.ca, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 3_000);
    const finish = (why: string): void => {
      if (settled) return;
      settled = true;
      if (ending === 'open') ending = why;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(reads.map((read) => read.bytes)).toString('latin1');
      resolve({ reads, text, ending, localPort });
    };
    socket.once('connect', () => (localPort = socket.localPort ?? 0));
    socket.once(options.ca === undefined ? 'connect' : 'secureConnect', () => {
      socket.write(payload);
      if (options.endAfterWrite === true) socket.end();
    });
    let seen = '';
    socket.on('data', (bytes: Buffer) => {
      reads.push({ at: performance.now(), bytes });
      seen += bytes.toString('latin1');
      if (options.stopWhenComplete !== false && responseComplete(seen)) finish('complete');
    });
    socket.on('end', () => {
      ending = 'end';
      finish('end');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('close', () => finish('close'));
  });
}

/** Whether `text` holds a whole final response (interim 1xx heads skipped). Body-to-close framing never is. */
export function responseComplete(text: string): boolean {
  let rest = text;
  while (rest.includes('\r\n\r\n')) {
    const { status, headers, rest: after } = parseHead(rest);
    if (status >= 100 && status < 200) {
      rest = after;
      continue;
    }
    if (headers.get('transfer-encoding') === 'chunked') return /(?:^|\r\n)0\r\n(?:[^\r\n]+\r\n)*\r\n$/.test(after);
    const length = headers.get('content-length');
    return length !== undefined && Buffer.byteLength(after, 'latin1') >= Number(length);
  }
  return false;
}

/** Split a raw HTTP/1.1 response stream at its first blank line: status line, lower-cased headers, the rest. */
export function parseHead(text: string): { status: number; headers: Map<string, string>; rest: string } {
  const end = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, end).split('\r\n');
  const status = Number(lines[0]?.split(' ')[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, headers, rest: text.slice(end + 4) };
}

/** A request head (and body) as bytes, HTTP/1.1, with Host and a request id. */
export function rawRequest(
  method: string,
  path: string,
  requestId: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): string {
  const headers: Record<string, string> = { host: '127.0.0.1', 'x-couch-request-id': requestId, ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return `${method} ${path} HTTP/1.1\r\n${head}\r\n${options.body ?? ''}`;
}
