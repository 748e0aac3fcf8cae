import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

/**
 * A byte-level TLS server for testing an HTTP client's parser and pool: each test writes the response bytes itself
 * (split, paused, interim, trailers, close), and the server records which socket carried which request.
 * Requests on one socket are answered one after another, in order.
 */
export interface RawRequest {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  socketId: number;
  /** 1-based position on its socket. */
  seq: number;
}

export interface Reply {
  write(bytes: string | Buffer): void;
  pause(ms: number): Promise<void>;
  /** Half-close (FIN) after what was written. */
  end(): void;
  destroy(): void;
}

export type Responder = (request: RawRequest, reply: Reply) => void | Promise<void>;

export interface RawSocketRecord {
  socketId: number;
  requests: number;
  closed: boolean;
}

export interface RawTlsServer {
  port: number;
  origin: string;
  ca: string;
  requests: RawRequest[];
  sockets: RawSocketRecord[];
  /** Most sockets open at once so far. */
  peakOpenSockets(): number;
  openSockets(): number;
  /** Resolves once no socket is open (or after `timeoutMs`, with false). */
  whenSocketsClosed(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

let certificate: Promise<{ cert: string; key: string }> | undefined;

function localhostCertificate(): Promise<{ cert: string; key: string }> {
  certificate ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
      { name: 'basicConstraints', cA: true },
    ],
  }).then((pems) => ({ cert: pems.cert, key: pems.private }));
  return certificate;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startRawTlsServer(responder: Responder): Promise<RawTlsServer> {
  const { cert, key } = await localhostCertificate();
  const requests: RawRequest[] = [];
  const sockets: RawSocketRecord[] = [];
  const open = new Set<tls.TLSSocket>();
  let peak = 0;

  const server = tls.createServer({ cert, key }, (socket) => {
    const record: RawSocketRecord = { socketId: sockets.length + 1, requests: 0, closed: false };
    sockets.push(record);
    open.add(socket);
    peak = Math.max(peak, open.size);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      record.closed = true;
      open.delete(socket);
    });
    const reply: Reply = {
      write: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      pause: sleep,
      end: () => socket.end(),
      destroy: () => socket.destroy(),
    };
    let buffered = Buffer.alloc(0);
    let answering: Promise<void> = Promise.resolve();
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const [requestLine = '', ...lines] = buffered.toString('latin1', 0, headEnd).split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        const body = buffered.toString('utf8', headEnd + 4, headEnd + 4 + length);
        buffered = buffered.subarray(headEnd + 4 + length);
        const [method = '', path = ''] = requestLine.split(' ');
        record.requests += 1;
        const request: RawRequest = { method, path, headers, body, socketId: record.socketId, seq: record.requests };
        requests.push(request);
        answering = answering
          .then(() => responder(request, reply))
          .catch(() => {
            socket.destroy();
          });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    ca: cert,
    requests,
    sockets,
    peakOpenSockets: () => peak,
    openSockets: () => open.size,
    async whenSocketsClosed(timeoutMs) {
      const until = performance.now() + timeoutMs;
      while (open.size > 0) {
        if (performance.now() > until) return false;
        await sleep(5);
      }
      return true;
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `HTTP/1.1 <status>` with the given header lines and a Content-Length body, as one string. */
export function plainResponse(status: number, body: string, headerLines: string[] = []): string {
  const lines = [`HTTP/1.1 ${status} X`, ...headerLines, `content-length: ${Buffer.byteLength(body)}`];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
