import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigErrorCode } from '../../errors.js';
import type { ClientFactory, ClientOptions, ClientUnderTest } from '../contract.js';
import { ExecSession } from './exec-session.js';
import type { FatalMessage, FromWorker } from './protocol.js';
import { EXEC_PROTOCOL, parseWorkerLine } from './protocol.js';
import { WorkerProcess } from './worker-process.js';

export interface ExecClientSettings {
  /** The command as the user gave it: named in every diagnosis, and in the replay command. */
  command: string;
  argv: string[];
  /** The most callers a run has at once, told to the worker so that a thread pool can be sized for them. */
  callers: number;
  /** How long the first hello may take to be answered (the interpreter starts and imports its client). */
  startBoundMs: number;
  /** How long a later hello, or a close, may take to be answered. */
  replyBoundMs: number;
  /** After stdin ends, how long the worker has to exit before it is killed. */
  exitGraceMs: number;
}

/** A request id is `r<run>-<opId>` and an op id `c<caller>-o<op>`: the caller is told to the worker for its logs. */
function callerOf(requestId: string): string | null {
  return /^r\d+-(c\d+)-o\d+$/.exec(requestId)?.[1] ?? null;
}

function quoted(line: string): string {
  return JSON.stringify(line.length > 300 ? `${line.slice(0, 300)}…` : line);
}

/**
 * A client in any language: one worker process per verification, speaking the worker protocol over its stdin and
 * stdout, and one session (one fresh client inside the worker) per run. `factory` is the `ClientFactory` crosstalk
 * calls once a run. A worker that breaks the protocol is a configuration error, not a verdict: its first fault
 * rejects everything waiting on it at once, kills it, and is thrown by the next `factory` call and by `finish`.
 */
export class ExecClient {
  readonly factory: ClientFactory = (options) => this.open(options);
  /** The worker's own description of its client, from its first answer to hello. */
  description: string | undefined;
  private worker: WorkerProcess | null = null;
  private stopping = false;
  private fault: ConfigError | null = null;
  /** Sessions not yet closed and drained: the ones a worker's answers may still be for. */
  private readonly sessions = new Map<string, ExecSession>();
  /** The session opened last, for diagnoses. */
  private latest: ExecSession | null = null;
  private sessionCount = 0;
  private readonly closings = new WeakMap<ExecSession, Promise<void>>();
  private caFile: { dir: string; file: string; pem: string } | null = null;

  constructor(private readonly settings: ExecClientSettings) {}

  /** The protocol fault or worker failure that stopped the worker, if any. */
  get failure(): ConfigError | null {
    return this.fault;
  }

  /**
   * Waits for a verification through `factory` to end, then finishes the worker. The worker's fault, when there was
   * one, is the outcome whatever the verification made of it (a verdict on a run the worker broke, or the factory
   * error it caused); otherwise the verification's, its client named with the worker's own description.
   */
  async settle<T extends { client: string }>(verifying: Promise<T>): Promise<T> {
    const outcome = await verifying.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await this.finish();
    if (!outcome.ok) throw outcome.error;
    if (this.description !== undefined) outcome.value.client = `${outcome.value.client} (${this.description})`;
    return outcome.value;
  }

  /** Closes what is still open, stops the worker, removes the CA file; throws the worker's fault if there was one. */
  async finish(): Promise<void> {
    // A fault is thrown below, whatever closing made of it.
    if (this.fault === null) {
      await Promise.all([...this.sessions.values()].map((session) => this.closeSession(session).catch(() => undefined)));
    }
    this.stopping = true;
    await this.worker?.stop(this.settings.exitGraceMs);
    if (this.caFile !== null) await rm(this.caFile.dir, { recursive: true, force: true });
    if (this.fault !== null) throw this.fault;
  }

  private async open(options: ClientOptions): Promise<ClientUnderTest> {
    // Runs close their own sessions; sessions may overlap (a run the verification abandoned may still be ending).
    if (this.fault !== null) throw this.fault;
    const worker = this.start();
    const caFile = await this.caFileFor(options.ca);
    // The worker may have failed to start meanwhile.
    if (this.fault !== null) throw this.fault;
    const first = this.sessionCount === 0;
    this.sessionCount += 1;
    const session = new ExecSession(`s${this.sessionCount}`, (message) => worker.send(message));
    this.sessions.set(session.id, session);
    this.latest = session;
    worker.send({
      type: 'hello',
      protocol: EXEC_PROTOCOL,
      session: session.id,
      origin: options.origin,
      caFile,
      connections: options.connections,
      timeoutMs: options.timeoutMs,
      callers: this.settings.callers,
    });
    const bound = first ? this.settings.startBoundMs : this.settings.replyBoundMs;
    const ready = await this.bounded(session.ready.promise, bound, () =>
      this.raise(ConfigErrorCode.ExecProtocol, `did not answer hello (session ${session.id}) within ${bound} ms`),
    ).catch(() => undefined);
    if (ready === undefined || this.fault !== null) throw this.fault!;
    if (first) this.description = ready.client;
    return {
      traits: { ...ready.traits, outOfProcess: true },
      run: (operation) => session.run(operation, callerOf(operation.requestId) ?? ''),
      close: () => this.closeSession(session, options.timeoutMs),
    };
  }

  private start(): WorkerProcess {
    if (this.worker !== null) return this.worker;
    const worker = new WorkerProcess(this.settings.argv, {
      line: (line) => this.onLine(line),
      overflow: (start) => this.raise(ConfigErrorCode.ExecProtocol, `wrote a line of more than 64 MiB, starting ${quoted(start)}`),
      ended: ({ code, signal, error }) => {
        if (error !== undefined) {
          this.raise(ConfigErrorCode.ExecWorker, `could not be started: ${error.message}`);
          return;
        }
        if (this.stopping) return;
        const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
        this.raise(ConfigErrorCode.ExecWorker, `${how} ${this.whereNow()}; a worker runs until its stdin ends`);
      },
    });
    this.worker = worker;
    return worker;
  }

  /** Where the protocol stood, for a worker that ended: what it left unanswered. */
  private whereNow(): string {
    const session = this.latest;
    if (session === null) return 'before crosstalk said hello';
    if (session.state === 'hello') return `before answering hello (session ${session.id})`;
    if (session.state === 'closed') return `after session ${session.id} closed, before its stdin ended`;
    const pending = session.pending();
    if (pending.length === 0) return `during session ${session.id}`;
    return `during session ${session.id}, with ${pending.length} operations unanswered (${pending.slice(0, 5).join(', ')})`;
  }

  private onLine(line: string): void {
    if (this.fault !== null) return;
    const parsed = parseWorkerLine(line);
    if (!parsed.ok) {
      this.raise(ConfigErrorCode.ExecProtocol, `wrote a line that is not a protocol message (${parsed.problem}): ${quoted(line)}`);
      return;
    }
    if (parsed.message.type === 'fatal') {
      this.raise(ConfigErrorCode.ExecWorker, `reported that it cannot go on: ${parsed.message.message}`);
      return;
    }
    const problem = this.deliver(parsed.message);
    if (problem !== null) this.raise(problem.code, `${problem.text}: ${quoted(line)}`);
  }

  private deliver(message: Exclude<FromWorker, FatalMessage>): { code: ConfigErrorCode; text: string } | null {
    const session = this.sessions.get(message.session);
    const number = /^s(\d+)$/.exec(message.session)?.[1];
    if (session === undefined && (message.type === 'result' || message.type === 'error') && Number(number) <= this.sessionCount) {
      // An operation of a session already closed and drained, finished at last (a call its client could not stop,
      // past the drain's bound): too late to matter, and too old to be told apart from an answer given twice.
      return null;
    }
    if (session === undefined) {
      return { code: ConfigErrorCode.ExecProtocol, text: `it answered for session "${message.session}", which is not open` };
    }
    const problem =
      message.type === 'ready' ? session.onReady(message) : message.type === 'closed' ? session.onClosed() : session.onAnswer(message);
    return problem === null ? null : { code: ConfigErrorCode.ExecProtocol, text: problem };
  }

  /**
   * Closes a session once, whoever asks first: the worker's `closed` within the reply bound, then its calls still
   * running (aborted ones a client could not stop) answered, each within the client's own timeout, so that none
   * reaches the server after close() returned; a call that outlasts even that is the client's hang.
   */
  private closeSession(session: ExecSession, timeoutMs = 0): Promise<void> {
    let closing = this.closings.get(session);
    if (closing === undefined) {
      closing = (async () => {
        await this.bounded(session.close(), this.settings.replyBoundMs, () => this.closeLate(session));
        await this.within(session.drained(), timeoutMs + this.settings.replyBoundMs);
        // Answers that still come for it are late, and ignored.
        this.sessions.delete(session.id);
      })();
      closing.catch(() => undefined);
      this.closings.set(session, closing);
    }
    return closing;
  }

  private closeLate(session: ExecSession): void {
    const pending = session.pending();
    this.raise(
      ConfigErrorCode.ExecProtocol,
      `did not answer close (session ${session.id}) within ${this.settings.replyBoundMs} ms` +
        (pending.length > 0 ? `; ${pending.length} of its operations were never answered either (${pending.slice(0, 5).join(', ')})` : ''),
    );
  }

  /** The first fault wins: everything waiting on the worker fails now, and the worker is killed. */
  private raise(code: ConfigErrorCode, what: string): void {
    if (this.fault !== null) return;
    const stderr = this.worker?.stderr.text() ?? [];
    const tail = stderr.length === 0 ? '' : `\nLast lines on its stderr:\n${stderr.map((l) => `  | ${l}`).join('\n')}`;
    this.fault = new ConfigError(code, `the --exec worker \`${this.settings.command}\` ${what.replace(/^it /, '')}.${tail}`);
    for (const session of this.sessions.values()) session.fail(this.fault);
    void this.worker?.kill();
  }

  /** Resolves or rejects with `promise`, or calls `onLate` (which raises a fault) and rejects after `ms`. */
  private async bounded<T>(promise: Promise<T>, ms: number, onLate: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onLate();
        reject(this.fault ?? new Error('late'));
      }, ms);
    });
    try {
      return await Promise.race([promise, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for `promise`, but no longer than `ms`; either way is fine. */
  private async within(promise: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  private async caFileFor(pem: string): Promise<string> {
    if (this.caFile?.pem === pem) return this.caFile.file;
    const dir = this.caFile?.dir ?? (await mkdtemp(join(tmpdir(), 'crosstalk-exec-ca-')));
    const file = join(dir, `ca-${this.sessionCount}.pem`);
    await writeFile(file, pem);
    this.caFile = { dir, file, pem };
    return file;
  }
}
