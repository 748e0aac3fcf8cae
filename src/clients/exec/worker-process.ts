import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter, LineTail } from './line-splitter.js';
import type { ToWorker } from './protocol.js';

/** A worker's line carries at most one response body as JSON text; anything longer is runaway output. */
const MAX_LINE_CHARS = 64 * 1024 * 1024;
const STDERR_LINES_KEPT = 12;

export interface WorkerProcessEvents {
  /** One stdout line (blank lines are skipped). */
  line(line: string): void;
  /** A stdout line past the length limit, by its start. */
  overflow(start: string): void;
  /** The process could not be started, or ended; `error` when it never started. */
  ended(outcome: { code: number | null; signal: NodeJS.Signals | null; error?: Error }): void;
}

/**
 * Every worker process this thread started and has not seen end: killed when the thread's process exits, so a worker
 * that ignores the end of its stdin cannot outlive crosstalk.
 */
const live = new Set<ChildProcessByStdio<Writable, Readable, Readable>>();
let exitHookInstalled = false;
function killLiveOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * One spawned worker: JSON lines to its stdin, lines from its stdout, the tail of its stderr kept for diagnoses.
 * stderr is never protocol: a worker may log there freely.
 */
export class WorkerProcess {
  readonly stderr = new LineTail(STDERR_LINES_KEPT);
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private exited: Promise<void>;
  private hasEnded = false;

  constructor(argv: readonly string[], events: WorkerProcessEvents) {
    const [command, ...args] = argv as [string, ...string[]];
    killLiveOnExit();
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.child);
    const stdout = new LineSplitter(MAX_LINE_CHARS, (line) => line.trim() !== '' && events.line(line), events.overflow);
    this.child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    // A worker that has gone away makes writes fail: its ending is reported once, by `ended`.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise<void>((resolve) => {
      let spawnError: Error | undefined;
      this.child.once('error', (error) => {
        spawnError = error;
        // 'close' does not follow a failed spawn on every Node version.
        if (this.child.pid === undefined) finish(null, null);
      });
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.hasEnded) return;
        this.hasEnded = true;
        live.delete(this.child);
        stdout.end();
        this.stderr.end();
        events.ended({ code, signal, error: spawnError });
        resolve();
      };
      // 'close' comes after stdout and stderr are drained, so the last lines are in before the ending is reported.
      this.child.once('close', finish);
    });
  }

  get ended(): boolean {
    return this.hasEnded;
  }

  send(message: ToWorker): void {
    if (this.hasEnded || this.child.stdin.destroyed) return;
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends the worker's stdin (its signal to exit), waits up to `graceMs`, then kills it. Resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    if (this.hasEnded) return;
    this.child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      this.exited.then(() => 'exited' as const),
      new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs))),
    ]);
    clearTimeout(timer);
    if (waited === 'late') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Kills the worker at once (it broke the protocol, or stopped answering). */
  async kill(): Promise<void> {
    if (this.hasEnded) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
