import type { Operation, OperationResult } from '../contract.js';
import { requestShape } from '../request-shape.js';
import type { ErrorMessage, ReadyMessage, ResultMessage, ToWorker } from './protocol.js';

/** Where one operation is: waiting for its answer, answered, or given up on by its caller (answered late or not). */
type OpState =
  | { state: 'pending'; settle: (message: ResultMessage | ErrorMessage) => void; fail: (error: Error) => void }
  | { state: 'answered' }
  | { state: 'aborted' }
  | { state: 'aborted-answered' };

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever stops waiting (a run past its deadline) must not turn a later rejection into an unhandled one.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** An error the worker reported for an operation (there was no response): the code is the worker's. */
export class WorkerOperationError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message || code);
    this.name = 'WorkerOperationError';
  }
}

/**
 * One session of the protocol: one hello, the client it creates, the operations run on it, its close. It keeps the
 * state of every operation it sent, so that a late answer to an aborted operation is told apart from an answer
 * given twice or to a request id never sent.
 */
export class ExecSession {
  readonly ready = deferred<ReadyMessage>();
  readonly closed = deferred<void>();
  private readonly ops = new Map<string, OpState>();
  private phase: 'hello' | 'open' | 'closing' | 'closed' = 'hello';
  private readonly onDrained: Array<() => void> = [];
  /** Set once the worker can no longer answer: every later call fails at once. */
  private failure: Error | null = null;

  constructor(
    readonly id: string,
    private readonly send: (message: ToWorker) => void,
  ) {}

  /** Sends one operation; the promise rejects at once when the caller's signal aborts, and the worker is told. */
  run(operation: Operation, callerId: string): Promise<OperationResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.phase !== 'open') return Promise.reject(new Error(`session ${this.id} is ${this.phase}, not open`));
    const { signal } = operation;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.ops.has(operation.requestId)) {
      return Promise.reject(new Error(`request id ${operation.requestId} was already sent in session ${this.id}`));
    }
    return new Promise<OperationResult>((resolve, reject) => {
      const onAbort = () => {
        if (this.ops.get(operation.requestId)?.state !== 'pending') return;
        this.ops.set(operation.requestId, { state: 'aborted' });
        reject(signal.reason as Error);
        this.send({ type: 'abort', session: this.id, id: operation.requestId });
      };
      const done = () => signal.removeEventListener('abort', onAbort);
      this.ops.set(operation.requestId, {
        state: 'pending',
        settle: (message) => {
          done();
          if (message.type === 'result') resolve({ status: message.status, requestId: message.requestId, body: message.body });
          else reject(new WorkerOperationError(message.code, message.message));
        },
        fail: (error) => {
          done();
          reject(error);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      const shape = requestShape(operation);
      this.send({
        type: 'op',
        session: this.id,
        id: operation.requestId,
        caller: callerId,
        kind: operation.kind,
        db: operation.db,
        params: operation.params,
        credentials: operation.credentials,
        method: shape.method,
        path: shape.path,
        body: shape.body,
      });
    });
  }

  /** The answer to hello. Returns what is wrong with it, or null. */
  onReady(message: ReadyMessage): string | null {
    if (this.phase !== 'hello') return `it answered hello for session ${this.id} twice`;
    this.phase = 'open';
    this.ready.resolve(message);
    return null;
  }

  /** An operation's answer. Returns what is wrong with it, or null (a late answer to an aborted one is fine). */
  onAnswer(message: ResultMessage | ErrorMessage): string | null {
    const op = this.ops.get(message.id);
    if (op === undefined) return `it answered request id "${message.id}", which crosstalk never sent in session ${this.id}`;
    if (op.state === 'answered' || op.state === 'aborted-answered') {
      return `it answered request id "${message.id}" twice`;
    }
    if (op.state === 'aborted') {
      this.ops.set(message.id, { state: 'aborted-answered' });
    } else {
      this.ops.set(message.id, { state: 'answered' });
      op.settle(message);
    }
    this.settleDrain();
    return null;
  }

  onClosed(): string | null {
    if (this.phase !== 'closing') return `it answered closed for session ${this.id}, which crosstalk had not closed`;
    this.phase = 'closed';
    this.closed.resolve();
    return null;
  }

  /** Asks the worker to close the session's client; the answer is awaited through `closed`. */
  close(): Promise<void> {
    if (this.phase === 'open' || this.phase === 'hello') {
      this.phase = 'closing';
      this.send({ type: 'close', session: this.id });
    }
    return this.closed.promise;
  }

  get state(): 'hello' | 'open' | 'closing' | 'closed' {
    return this.phase;
  }

  /**
   * Resolves once every operation sent has been answered, aborted ones included: a call the worker's client could
   * not stop may still be on its way to the server, and must not arrive during the next run.
   */
  drained(): Promise<void> {
    if (this.unanswered() === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.onDrained.push(resolve));
  }

  private unanswered(): number {
    let count = 0;
    for (const op of this.ops.values()) if (op.state === 'pending' || op.state === 'aborted') count += 1;
    return count;
  }

  private settleDrain(): void {
    if (this.onDrained.length === 0 || this.unanswered() > 0) return;
    for (const resolve of this.onDrained.splice(0)) resolve();
  }

  /** Request ids still waiting for an answer. */
  pending(): string[] {
    return [...this.ops].filter(([, op]) => op.state === 'pending').map(([id]) => id);
  }

  /** The worker can no longer answer: every waiter rejects now, so nothing waits on it. */
  fail(error: Error): void {
    this.failure = error;
    for (const [id, op] of this.ops) {
      if (op.state !== 'pending') continue;
      this.ops.set(id, { state: 'answered' });
      op.fail(error);
    }
    for (const [id, op] of this.ops) if (op.state === 'aborted') this.ops.set(id, { state: 'aborted-answered' });
    this.settleDrain();
    this.ready.reject(error);
    this.closed.reject(error);
  }
}
