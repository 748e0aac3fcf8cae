import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { HARNESS_END } from '../history/records.js';
import type { ServerActivity } from './activity.js';
import type { RecorderMark } from './recorder.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generateCertificate, type ServerCertificate } from './certificate.js';
import { handleClientError, type ParseError } from './client-error.js';
import { acceptConnection } from './connect-faults.js';
import { ConnectionTable } from './connections.js';
import type { Couch } from './couch/types.js';
import { createCouch } from './couch/index.js';
import { JsonlSink } from './jsonl-sink.js';
import { DEFAULT_RETAINED_RECORDS, HistoryRecorder, type Recorder } from './recorder.js';
import { finishRequest, handleRequest, type RequestContext } from './request-handler.js';
import { RequestIdGenerator } from './request-id.js';
import type { PlanSource } from './response-plan.js';

/** Below node's 60 s headersTimeout, which must stay the larger of the two. */
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;

export interface MockServerOptions {
  /** Default 0: an ephemeral port. Always bound to 127.0.0.1. */
  port?: number;
  /** The CouchDB semantics; default `createCouch({ fixturesDir })`. */
  couch?: Couch;
  fixturesDir?: string;
  /** Stream every finished socket and request record to this JSONL file. */
  historyFile?: string;
  plans?: PlanSource;
  /** Larger request bodies get 413 `too_large`. Default 8 MiB. */
  maxBodyBytes?: number;
  /** node's bound on the request head; larger heads get 431. Default node's (16 KiB). */
  maxHeaderSize?: number;
  /**
   * node's idle keep-alive timeout, also advertised as `Keep-Alive: timeout=N`. Default 30 s, not node's 5 s: idle
   * closes are faults the scenario chooses (`idleCloseMs`), and the server must not close sockets on its own mid-run
   * (a leaked socket closed by node would hide a clean-close violation).
   */
  keepAliveTimeoutMs?: number;
  /** Keep records in memory for `snapshot()`/`since()` (default true). False: only the JSONL file gets them. */
  retainHistory?: boolean;
  /**
   * The newest records of each kind (sockets, requests) kept in memory, more only while the recorder's newest mark
   * needs them (default 1,000): the memory bound of a long-lived server. Everything still reaches `historyFile`.
   */
  retainRecords?: number;
  /** Reuse a certificate (a benchmark starting several servers); default: generate an EC P-256 one. */
  certificate?: ServerCertificate;
}

export interface MockServer {
  /** `https://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  /** PEM of the CA that signs the server's certificate (the certificate itself). */
  readonly ca: string;
  /** How long generating the certificate took (0 when one was given). */
  readonly certificateMs: number;
  /** Path of a file holding `ca`, written once, for clients in other languages. Removed by `close()`. */
  caFile(): Promise<string>;
  readonly couch: Couch;
  readonly recorder: Recorder;
  /** Plans apply to requests that arrive from now on. */
  setPlans(plans: PlanSource | undefined): void;
  openSockets(): number;
  /** What the transport is doing now (for quiescence: is anything still happening?). */
  activity(): ServerActivity;
  /** Resolves true once no socket is open, false if some still are after `timeoutMs`. */
  whenSocketsClosed(timeoutMs: number, since?: RecorderMark): Promise<boolean>;
  /** Destroy every open socket, keep serving (between runs: a leaky client's sockets must not spill over). */
  destroySockets(): void;
  /** Destroy every socket, stop listening, flush the history file. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Destroyed sockets close within a few turns; this only bounds a node bug. */
const CLOSE_WAIT_MS = 5_000;

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const certificate = options.certificate ?? (await generateCertificate('ec'));
  const couch =
    options.couch ?? createCouch(options.fixturesDir === undefined ? {} : { fixturesDir: options.fixturesDir });
  const recorder = new HistoryRecorder(
    options.retainHistory === false ? 0 : (options.retainRecords ?? DEFAULT_RETAINED_RECORDS),
  );
  const sink = options.historyFile === undefined ? undefined : await JsonlSink.open(options.historyFile);
  recorder.setSink(sink);
  const ids = new RequestIdGenerator();
  const context: RequestContext = {
    couch,
    recorder,
    ids,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    plans: options.plans,
    connections: new ConnectionTable(recorder, (connection) => {
      // Responses node never got to start (pipelined behind one that died) end with their socket.
      for (const entry of [...connection.pending]) finishRequest(context, connection, entry);
    }),
  };
  const connections = context.connections;

  const server: Server = createServer({
    cert: certificate.cert,
    key: certificate.key,
    ALPNProtocols: ['http/1.1'],
    ...(options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize }),
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  // node's TLS listener is called by connect-faults.ts, so a connection fault can act before (or instead of) TLS.
  const [startTls] = server.listeners('connection') as Array<(raw: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (raw: Socket) => acceptConnection(connections, context.plans, raw, () => startTls!.call(server, raw)));
  // Before node's HTTP listener, so ours sees the socket's events first.
  server.prependListener('secureConnection', (tls: TLSSocket) => connections.secured(tls));
  server.on('tlsClientError', (error: NodeJS.ErrnoException, tls: TLSSocket) =>
    connections.handshakeFailed(tls, error),
  );
  server.on('request', (request: IncomingMessage, response: ServerResponse) =>
    handleRequest(context, request, response, 'none'),
  );
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) =>
    handleRequest(context, request, response, 'continue'),
  );
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) =>
    handleRequest(context, request, response, 'unsupported'),
  );
  server.on('clientError', (error: ParseError, socket: Socket) =>
    handleClientError(connections, recorder, ids, error, socket),
  );

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await sink?.close();
    throw error;
  }
  // A listening server's later errors (none expected) must not crash the process.
  server.on('error', (error) => process.emitWarning(`crosstalk mock server: ${String(error)}`));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let caFile: Promise<{ dir: string; file: string }> | undefined;
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    connections.destroyAll(HARNESS_END.shutdown);
    await closed;
    // node reports the server closed before the sockets' own close events; their records are final after those.
    await connections.whenEmpty(CLOSE_WAIT_MS);
    await sink?.close();
    if (caFile !== undefined) await rm((await caFile).dir, { recursive: true, force: true });
  };

  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    ca: certificate.cert,
    certificateMs: options.certificate === undefined ? certificate.generationMs : 0,
    caFile: async () => {
      caFile ??= (async () => {
        const dir = await mkdtemp(join(tmpdir(), 'crosstalk-ca-'));
        const file = join(dir, 'ca.pem');
        await writeFile(file, certificate.cert);
        return { dir, file };
      })();
      return (await caFile).file;
    },
    couch,
    recorder,
    setPlans: (plans) => {
      context.plans = plans;
      // Attempts are counted per request id under one plan source: a replay of a run reuses its ids, and must meet
      // its first N failures again (without this, a fail-first case replayed on the same server answered at once).
      context.attempts = undefined;
    },
    openSockets: () => connections.size,
    activity: () => connections.activity.snapshot(),
    whenSocketsClosed: (timeoutMs, since) => connections.whenEmpty(timeoutMs, since?.sockets ?? 0),
    destroySockets: () => connections.destroyAll(HARNESS_END.destroyed),
    close: () => (closing ??= close()),
  };
}
