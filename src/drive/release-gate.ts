import type { TimedStep } from '../history/run-history.js';
import type { ServerActivity } from '../server/activity.js';
import type { PlanSource, ResponsePlan } from '../server/response-plan.js';
import type { OpPlan } from '../scenario/scenario.js';
import { WriteTurns } from './write-turns.js';

interface Held {
  op: OpPlan;
  release: () => void;
  /** Held back on its own until its aborted call has settled (a late reply); not part of any batch. */
  pinned: boolean;
}

/** What the gate needs from the run driving it. */
export interface GateHooks {
  /** Calls issued and not yet settled. */
  outstanding(): number;
  /** The most requests the client can have at the server at once (sockets × pipelining); null: no bound. */
  capacity: number | null;
  /** A partial batch goes out once the server has seen nothing new for this long. */
  graceMs: number;
  activity(): ServerActivity;
  /**
   * The server holds this operation's request. A promise means: keep it back until that resolves (the driver
   * aborts the caller and resolves once the call has settled); null means: release it with its batch.
   */
  onHeld(op: OpPlan): Promise<void> | null;
  /** The response paused mid-body (an abort at `body`): resolve to let the rest go. */
  onMidBody(op: OpPlan): Promise<void>;
  /** A batch went out. */
  onRelease(): void;
  timed(step: TimedStep): void;
}

/** A handshake under way will most likely carry a request: wait for it, but not for ever. */
const HANDSHAKE_WAIT_MS = 500;

/**
 * Holds every scenario response at the server and releases them in the scenario's order, so the order in which
 * concurrent replies reach the client comes from the seed, not from the scheduler.
 *
 * A batch is released as soon as no further arrival is possible: every operation the callers have outstanding is
 * held, or as many as the client can have at the server at once. A client that keeps requests back for reasons of
 * its own is covered by a quiet period: once the server has seen nothing new (no socket, no handshake finishing, no
 * request) for `graceMs`, and no handshake is under way, what is held goes out; the report names that step as timed.
 */
export class ReleaseGate implements PlanSource {
  private held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private waitingSince: number | null = null;
  private disposed = false;
  /** Held responses released so far, in order (for tests and the report). */
  readonly releasedOrder: string[] = [];
  /** Paces the pieces of released responses (see WriteTurns). */
  readonly turns = new WriteTurns();

  constructor(
    private readonly opsByRequestId: ReadonlyMap<string, OpPlan>,
    private readonly hooks: GateHooks,
  ) {}

  planFor(requestId: string | undefined): ResponsePlan | undefined {
    const op = requestId === undefined ? undefined : this.opsByRequestId.get(requestId);
    if (op === undefined) return undefined;
    const plan: ResponsePlan = { ...op.response, gate: () => this.hold(op), turn: () => this.turns.turn() };
    if (op.abort?.at === 'body') plan.midBody = { atByte: op.abort.afterBytes, gate: () => this.hooks.onMidBody(op) };
    return plan;
  }

  /** Responses held (pinned ones included) and pieces waiting to be written: the schedule still has work. */
  get holding(): number {
    return this.held.length + this.turns.waiting;
  }

  /** Call whenever a call settles: fewer outstanding calls may complete a batch. */
  settled(): void {
    if (this.held.some((h) => !h.pinned)) this.evaluate();
  }

  /** Release everything still held and stop timing. */
  dispose(): void {
    this.disposed = true;
    this.turns.dispose();
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of this.held.splice(0)) entry.release();
  }

  private hold(op: OpPlan): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return new Promise<void>((release) => {
      const entry: Held = { op, release, pinned: false };
      this.held.push(entry);
      const until = this.hooks.onHeld(op);
      if (until !== null) {
        entry.pinned = true;
        void until.then(() => this.releasePinned(entry));
      }
      this.evaluate();
    });
  }

  private releasePinned(entry: Held): void {
    const at = this.held.indexOf(entry);
    if (at === -1) return;
    this.held.splice(at, 1);
    this.releasedOrder.push(entry.op.opId);
    entry.release();
  }

  /** Held, pinned included: a pinned request has arrived, so the batch needs wait for nothing more from it. */
  private complete(): boolean {
    const outstanding = this.hooks.outstanding();
    const expected = this.hooks.capacity === null ? outstanding : Math.min(outstanding, this.hooks.capacity);
    // A released response in a planned wait (a slow head) holds its connection: no arrival can come from it.
    return this.held.length + this.hooks.activity().pausedInFlight >= expected;
  }

  private evaluate(): void {
    if (this.disposed || !this.held.some((h) => !h.pinned)) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waitingSince ??= performance.now();
    if (this.complete()) {
      // Deferred one turn: the arrival that completes the batch must have attached its awaiter before anything is
      // resolved, or it would run first whatever its rank.
      setImmediate(() => {
        if (!this.disposed && this.complete()) this.flush(null);
        else this.evaluate();
      });
      return;
    }
    this.armQuietTimer();
  }

  /** Wakes when the server will have been quiet for `graceMs`, and decides then. */
  private armQuietTimer(): void {
    const activity = this.hooks.activity();
    const wakeIn = Math.max(1, activity.lastEventAt + this.hooks.graceMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.complete()) return this.flush(null);
      const now = performance.now();
      const { lastEventAt, handshakesInFlight } = this.hooks.activity();
      const waited = now - (this.waitingSince ?? now);
      const handshaking = handshakesInFlight > 0 && waited < HANDSHAKE_WAIT_MS;
      if (handshaking || now - lastEventAt < this.hooks.graceMs) return this.armQuietTimer();
      this.flush({ waited, outstanding: this.hooks.outstanding() });
    }, wakeIn);
  }

  private flush(partial: { waited: number; outstanding: number } | null): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waitingSince = null;
    const batch = this.held
      .filter((h) => !h.pinned)
      .sort((a, b) => a.op.release - b.op.release || (a.op.opId < b.op.opId ? -1 : a.op.opId > b.op.opId ? 1 : 0));
    if (batch.length === 0) return;
    this.held = this.held.filter((h) => h.pinned);
    if (partial !== null) {
      this.hooks.timed({
        step: 'partial-release',
        opId: batch[0]!.op.opId,
        at: performance.now(),
        ms: Math.round(partial.waited),
        detail:
          `released ${batch.map((h) => h.op.opId).join(', ')} while ${partial.outstanding} calls were outstanding, ` +
          `after ${this.hooks.graceMs} ms in which the server saw no new request`,
      });
    }
    for (const entry of batch) {
      this.releasedOrder.push(entry.op.opId);
      entry.release();
    }
    this.hooks.onRelease();
  }
}
