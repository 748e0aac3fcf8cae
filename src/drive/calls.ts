import { createHash } from 'node:crypto';
import type { ClientUnderTest, Operation } from '../clients/contract.js';
import type { CallOutcome, CallRecord } from '../history/run-history.js';
import type { CallerPlan, OpPlan, Scenario, Tenant } from '../scenario/scenario.js';
import { LoopClock } from './loop-clock.js';
import type { TimedLog } from './timed-log.js';

export function digestText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

function errorOutcome(error: unknown): CallOutcome {
  const err = error as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = String(err?.code ?? err?.cause?.code ?? err?.name ?? 'Error');
  return { type: 'error', code, message: String(err?.message ?? error) };
}

/**
 * An aborted call should settle at once; if it has not this long after its abort, its held reply goes out anyway
 * (a timed step), so a client that ignores its signal cannot stall the schedule.
 */
export const SETTLE_WAIT_MS = 250;

/** Two passes of the event loop: enough for an in-process client to read bytes the server has just written. */
const twoTurns = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

interface LiveCall {
  op: OpPlan;
  controller: AbortController;
  settled: Promise<void>;
  done: boolean;
  aborted: boolean;
}

/**
 * The callers' side of a run: issuing each operation to the shared client, aborting where the scenario places the
 * abort, and recording what each caller saw. Never throws for anything the client does.
 */
export class Calls {
  readonly records: CallRecord[] = [];
  readonly opsByRequestId = new Map<string, OpPlan>();
  outstanding = 0;
  /** Aborted calls the schedule is waiting on (their held replies go out once they settle). */
  settling = 0;
  lastEventAt = performance.now();
  onSettled: () => void = () => undefined;
  /** Once the run has ended, a call that settles late (say, rejected by close()) stays hung in the history. */
  private frozen = false;
  private readonly live = new Map<string, LiveCall>();
  private readonly tenants: Map<string, Tenant>;
  private readonly passes = new LoopClock();

  constructor(
    private readonly client: ClientUnderTest,
    scenario: Scenario,
    private readonly run: number,
    private readonly timed: TimedLog,
  ) {
    this.tenants = new Map(scenario.tenants.map((t) => [t.name, t]));
    for (const caller of scenario.callers) for (const op of caller.ops) this.opsByRequestId.set(this.requestIdOf(op), op);
  }

  requestIdOf(op: OpPlan): string {
    return `r${this.run}-${op.opId}`;
  }

  /** Issues `op` for `caller` and resolves once the call has settled (it may never, for a client that hangs). */
  issue(caller: CallerPlan, op: OpPlan): Promise<void> {
    const tenantName = op.tenant ?? caller.tenant;
    const tenant = this.tenants.get(tenantName);
    if (tenant === undefined) throw new Error(`scenario names unknown tenant ${tenantName}`);
    const controller = new AbortController();
    const operation: Operation = {
      kind: op.kind,
      db: op.db,
      params: op.params,
      requestId: this.requestIdOf(op),
      credentials: { username: tenant.username, password: tenant.password },
      signal: controller.signal,
    };
    const record: CallRecord = {
      opId: op.opId,
      requestId: operation.requestId,
      callerId: caller.callerId,
      tenant: tenant.name,
      username: tenant.username,
      kind: op.kind,
      method: op.kind === 'get' ? 'GET' : 'POST',
      db: op.db,
      issuedAt: performance.now(),
      settledAt: null,
      issuedPass: this.passes.now(),
      settledPass: null,
      abortPlanned: op.abort !== null,
      abortAt: op.abort?.at ?? null,
      outcome: { type: 'hung' },
    };
    this.records.push(record);
    this.outstanding += 1;
    this.lastEventAt = record.issuedAt;
    let pending: Promise<CallOutcome>;
    try {
      pending = Promise.resolve(this.client.run(operation)).then(
        (result): CallOutcome => ({
          type: 'response',
          status: result.status,
          requestIdSeen: result.requestId,
          bodyDigest: digestText(result.body),
          bytes: Buffer.byteLength(result.body, 'utf8'),
        }),
        (error: unknown): CallOutcome => (controller.signal.aborted ? { type: 'aborted' } : errorOutcome(error)),
      );
    } catch (error) {
      // A client that throws synchronously still only fails its own call.
      pending = Promise.resolve(errorOutcome(error));
    }
    const live: LiveCall = { op, controller, settled: Promise.resolve(), done: false, aborted: false };
    live.settled = pending.then((outcome) => {
      if (this.frozen) return;
      live.done = true;
      record.outcome = outcome;
      record.settledAt = performance.now();
      record.settledPass = this.passes.now();
      this.lastEventAt = record.settledAt;
      this.outstanding -= 1;
      this.live.delete(op.opId);
      this.onSettled();
    });
    this.live.set(op.opId, live);
    // After the client's synchronous part of run(): the call is queued, or its socket is on its way.
    if (op.abort?.at === 'issue') queueMicrotask(() => this.abort(live));
    return live.settled;
  }

  /** The server holds `op`'s request: for an abort at `held`, abort now and keep the reply back until it settled. */
  abortWhenHeld(op: OpPlan): Promise<void> | null {
    const live = this.live.get(op.opId);
    if (op.abort?.at !== 'held' || live === undefined || live.aborted) return null;
    return this.abortAndSettle(live);
  }

  /** The body paused mid-way for an abort at `body`: let the client read what came, abort, wait for the settle. */
  async abortMidBody(op: OpPlan): Promise<void> {
    const live = this.live.get(op.opId);
    if (live === undefined || live.aborted) return;
    this.settling += 1;
    try {
      await twoTurns();
    } finally {
      this.settling -= 1;
    }
    await this.abortAndSettle(live);
  }

  /** The run is over: what is still pending is hung for good. */
  freeze(): void {
    this.frozen = true;
  }

  /** The longest Retry-After the server gave a call still pending: waiting that long is the client's right. */
  retryAfterAllowanceMs(): number {
    let allowance = 0;
    for (const live of this.live.values()) {
      const seconds = live.op.response.replaceWith?.retryAfterS ?? 0;
      allowance = Math.max(allowance, seconds * 1000);
    }
    return allowance;
  }

  private abort(live: LiveCall): void {
    if (live.aborted || live.done) return;
    live.aborted = true;
    live.controller.abort();
  }

  private async abortAndSettle(live: LiveCall): Promise<void> {
    this.abort(live);
    if (live.done) return;
    this.settling += 1;
    let timer: NodeJS.Timeout | undefined;
    const fallback = new Promise<'timed'>((resolve) => (timer = setTimeout(() => resolve('timed'), SETTLE_WAIT_MS)));
    const how = await Promise.race([live.settled.then(() => 'settled' as const), fallback]);
    clearTimeout(timer);
    this.settling -= 1;
    if (how === 'timed') {
      this.timed.add({
        step: 'abort-settle',
        opId: live.op.opId,
        at: performance.now(),
        ms: SETTLE_WAIT_MS,
        detail: `${live.op.opId} had not settled ${SETTLE_WAIT_MS} ms after its abort; its reply was released anyway`,
      });
    }
  }
}
