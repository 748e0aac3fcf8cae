import net from 'node:net';
import tls from 'node:tls';

/**
 * A scripted raw client for wire tests of the faults: write bytes when the test says, wait for what the server sends,
 * see how the connection ended and every read as it came (a fault's bytes must arrive in the read the test expects).
 */
export interface RawSession {
  /** Resolves once connected (TLS: handshake done), or with the error that ended the attempt. */
  readonly ready: Promise<Error | null>;
  readonly reads: Buffer[];
  text(): string;
  write(bytes: string | Buffer): void;
  /** Resolves once `done(text so far)` holds, or after `timeoutMs` (false). */
  until(done: (text: string) => boolean, timeoutMs?: number): Promise<boolean>;
  /** Resolves with how it ended: 'end' (the server's FIN), an error code, or 'timeout'. */
  ended(timeoutMs?: number): Promise<string>;
  readonly localPort: () => number;
  destroy(): void;
  /** Half-close: a FIN from the client, still reading. */
  end(): void;
  /** An RST from the client. */
  reset(): void;
}

export function rawSession(port: number, ca: string | undefined): RawSession {
  const reads: Buffer[] = [];
  const waiters = new Set<() => void>();
  let ending: string | null = null;
  let localPort = 0;
  // TLS over a TCP socket of our own: only a TCP socket can be reset.
  const tcp = net.connect(port, '127.0.0.1');
  const socket = ca === undefined ? tcp : tls.connect({ socket: tcp, host: '127.0.0.1', servername: 'localhost', ca, ALPNProtocols: ['http/1.1'] });
  const wake = (): void => waiters.forEach((w) => w());
  const ready = new Promise<Error | null>((resolve) => {
    socket.once(ca === undefined ? 'connect' : 'secureConnect', () => resolve(null));
    socket.once('error', (error) => resolve(error));
  });
  tcp.once('connect', () => (localPort = tcp.localPort ?? 0));
  socket.on('data', (chunk: Buffer) => {
    reads.push(chunk);
    wake();
  });
  socket.on('end', () => {
    ending ??= 'end';
    wake();
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    ending ??= error.code ?? error.message;
    wake();
  });
  socket.on('close', () => {
    ending ??= 'close';
    wake();
  });
  const text = (): string => Buffer.concat(reads).toString('latin1');
  const wait = (done: () => boolean, timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (done()) return resolve(true);
      const waiter = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      waiters.add(waiter);
    });
  return {
    ready,
    reads,
    text,
    write: (bytes) => socket.write(bytes),
    until: (done, timeoutMs = 3_000) => wait(() => done(text()) || ending !== null, timeoutMs).then(() => done(text())),
    ended: async (timeoutMs = 3_000) => ((await wait(() => ending !== null, timeoutMs)) ? ending! : 'timeout'),
    localPort: () => localPort,
    destroy: () => {
      socket.destroy();
      tcp.destroy();
    },
    end: () => socket.end(),
    reset: () => {
      if (!tcp.destroyed && tcp.readyState === 'open') tcp.resetAndDestroy();
      else socket.destroy();
    },
  };
}
