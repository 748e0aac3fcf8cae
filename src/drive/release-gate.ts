import type { PlanSource, ResponsePlan } from '../server/response-plan.js';
import type { OpPlan } from '../scenario/scenario.js';

interface Held {
  op: OpPlan;
  release: () => void;
}

/**
 * Holds every scenario response at the server and releases them in the scenario's order, so the order in which
 * concurrent replies reach the client comes from the seed, not from the scheduler.
 *
 * A batch is released as soon as no further arrival is possible: every operation the callers have outstanding is
 * held, or as many as the client can have at the server at once (its socket bound times its pipelining depth).
 * A client that keeps requests back for reasons of its own is covered by a short grace period, the only
 * timing-dependent part, which is why replays are measured rather than assumed.
 */
export class ReleaseGate implements PlanSource {
  private held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Responses released so far, in order (for tests and the report). */
  readonly releasedOrder: string[] = [];

  constructor(
    private readonly opsByRequestId: ReadonlyMap<string, OpPlan>,
    private readonly outstanding: () => number,
    private readonly capacity: number | null,
    private readonly graceMs: number,
  ) {}

  planFor(requestId: string | undefined): ResponsePlan | undefined {
    const op = requestId === undefined ? undefined : this.opsByRequestId.get(requestId);
    if (op === undefined) return undefined;
    return { ...op.response, gate: () => this.hold(op) };
  }

  /** Call whenever a call settles: fewer outstanding calls may complete a batch. */
  settled(): void {
    if (this.held.length > 0) this.evaluate();
  }

  /** Release everything still held and stop timing. */
  dispose(): void {
    this.disposed = true;
    this.flush();
  }

  private hold(op: OpPlan): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return new Promise<void>((release) => {
      this.held.push({ op, release });
      this.evaluate();
    });
  }

  private evaluate(): void {
    const outstanding = this.outstanding();
    const expected = this.capacity === null ? outstanding : Math.min(outstanding, this.capacity);
    if (this.held.length >= expected) {
      // Deferred one turn: the arrival that completes the batch must have attached its awaiter before anything is
      // resolved, or it would run first whatever its rank.
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => this.flush());
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.graceMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.held.sort(
      (a, b) => a.op.release - b.op.release || (a.op.opId < b.op.opId ? -1 : a.op.opId > b.op.opId ? 1 : 0),
    );
    this.held = [];
    for (const entry of batch) {
      this.releasedOrder.push(entry.op.opId);
      entry.release();
    }
  }
}
