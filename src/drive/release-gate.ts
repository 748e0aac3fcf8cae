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
 * A reply released with a slow head lands this many batches later: the batches in between go out while it sleeps
 * (its connection counted as taken), and it is written right behind the batch it lands with, which waits for its
 * sleep to be over if need be. Two batches take about as long as a short slow head on this machine; any value keeps
 * the order the schedule's, this one only decides how much of the sleep overlaps other work.
 */
export const SLOW_HEAD_LANDS_AFTER = 2;

/** A released reply sleeping in its slow head, not yet written: it holds its connection meanwhile. */
interface Sleeper {
  op: OpPlan;
  /** The batch it is written behind (batches are numbered from 1 as they go out). */
  landsWith: number;
  awake: boolean;
  land: () => void;
  landed: Promise<void>;
}

/**
 * Holds every scenario response at the server and releases them in the scenario's order, so the order in which
 * concurrent replies reach the client comes from the seed, not from the scheduler.
 *
 * A batch is released as soon as no further arrival is possible: every operation the callers have outstanding is
 * held, or as many as the client can have at the server at once. A client that keeps requests back for reasons of
 * its own is covered by a quiet period: once the server has seen nothing new (no socket, no handshake finishing, no
 * request) for `graceMs`, and no handshake is under way, what is held goes out; the report names that step as timed.
 *
 * A reply released with a slow head sleeps with its connection taken: batches after it complete without it, and it
 * is written right behind batch `SLOW_HEAD_LANDS_AFTER` after its own (which waits for the sleep if it must), or,
 * when only slow replies are outstanding, once they are all awake. Its timer decides when it may land, never where.
 */
export class ReleaseGate implements PlanSource {
  private held: Held[] = [];
  private sleepers: Sleeper[] = [];
  /** Batches released so far. */
  private batches = 0;
  /** A batch is due but waits for a slow reply that must land before it (null: none waits). */
  private due: { partial: { waited: number; outstanding: number } | null } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
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
    let entry: Held | undefined;
    const plan: ResponsePlan = {
      ...op.response,
      gate: () => this.hold(op, (held) => (entry = held)),
      turn: () => this.turns.turn(),
    };
    if ((op.response.headerDelayMs ?? 0) > 0) {
      let sleeper: Sleeper | undefined;
      plan.slowHead = { sleeping: () => (sleeper = this.sleeping(entry)), woke: (cut) => this.woke(sleeper, cut) };
    }
    if (op.abort?.at === 'body') plan.midBody = { atByte: op.abort.afterBytes, gate: () => this.hooks.onMidBody(op) };
    return plan;
  }

  /** Responses held (pinned ones included), slow replies not yet landed and pieces waiting: the schedule has work. */
  get holding(): number {
    return this.held.length + this.sleepers.length + this.turns.waiting;
  }

  /** Call whenever a call settles: fewer outstanding calls may complete a batch. */
  settled(): void {
    if (this.held.some((h) => !h.pinned)) this.evaluate();
    else if (this.sleepers.length > 0) this.landWhenIdle();
  }

  /** Release everything still held and stop timing. */
  dispose(): void {
    this.disposed = true;
    this.turns.dispose();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = null;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (const entry of this.held.splice(0)) entry.release();
    for (const sleeper of this.sleepers.splice(0)) sleeper.land();
  }

  private hold(op: OpPlan, onEntry: (entry: Held) => void): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return new Promise<void>((release) => {
      const entry: Held = { op, release, pinned: false };
      onEntry(entry);
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
    return this.held.length >= this.expected();
  }

  /**
   * How many requests can be at the server at once now: the outstanding calls, within the client's capacity; a
   * sleeping slow reply's call has its request here already and holds its connection until it lands.
   */
  private expected(): number {
    const asleep = this.sleepers.length;
    const outstanding = Math.max(0, this.hooks.outstanding() - asleep);
    return this.hooks.capacity === null ? outstanding : Math.min(outstanding, Math.max(0, this.hooks.capacity - asleep));
  }

  /** A reply released in a batch begins its slow head: it lands behind a later batch (late replies are not held). */
  private sleeping(entry: Held | undefined): Sleeper | undefined {
    if (this.disposed || entry === undefined || entry.pinned) return undefined;
    let land = (): void => undefined;
    const landed = new Promise<void>((resolve) => (land = resolve));
    const sleeper: Sleeper = { op: entry.op, landsWith: this.batches + SLOW_HEAD_LANDS_AFTER, awake: false, land, landed };
    this.sleepers.push(sleeper);
    return sleeper;
  }

  /** Its sleep is over (or its socket closed): a batch that waited for it may go, or it lands now if nothing else can. */
  private woke(sleeper: Sleeper | undefined, cut: boolean): Promise<void> {
    if (sleeper === undefined || this.disposed) return Promise.resolve();
    if (cut) {
      this.sleepers = this.sleepers.filter((s) => s !== sleeper);
      sleeper.land();
    } else {
      sleeper.awake = true;
    }
    if (this.due !== null && !this.blocked(this.batches + 1)) {
      const { partial } = this.due;
      this.due = null;
      this.flush(partial);
    } else if (cut) {
      this.evaluate();
    } else {
      this.landWhenIdle();
    }
    return sleeper.landed;
  }

  /** A slow reply due to land with batch `n` is still asleep: batch `n` waits for it. */
  private blocked(n: number): boolean {
    return this.sleepers.some((s) => s.landsWith <= n && !s.awake);
  }

  /**
   * No batch can come while only slow replies are outstanding (nothing held, nothing else can arrive): they land
   * together once all are awake, in the order they were released. Decided a turn later, as a batch is, so a caller
   * whose call just settled has issued its next one.
   */
  private landWhenIdle(): void {
    setImmediate(() => {
      if (this.disposed || this.sleepers.length === 0 || this.held.some((h) => !h.pinned)) return;
      if (this.sleepers.some((s) => !s.awake)) return;
      if (this.expected() === 0) return this.landAll(null);
      // Calls are outstanding whose requests have not come: the client keeps them back (behind a slow reply, say).
      // As for a partial batch, once the server has been quiet for the grace period the slow replies land; timed.
      this.armIdleTimer();
    });
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const startedAt = performance.now();
    const wake = (): void => {
      this.idleTimer = undefined;
      if (this.disposed || this.sleepers.length === 0 || this.held.some((h) => !h.pinned)) return;
      const { lastEventAt, handshakesInFlight } = this.hooks.activity();
      const quietFor = performance.now() - lastEventAt;
      if (handshakesInFlight > 0 && performance.now() - startedAt < HANDSHAKE_WAIT_MS) {
        this.idleTimer = setTimeout(wake, this.hooks.graceMs);
        return;
      }
      if (quietFor < this.hooks.graceMs) {
        this.idleTimer = setTimeout(wake, Math.max(1, this.hooks.graceMs - quietFor));
        return;
      }
      this.landAll({ waited: performance.now() - startedAt, outstanding: this.hooks.outstanding() });
    };
    this.idleTimer = setTimeout(wake, this.hooks.graceMs);
  }

  /** A release the quiet period decided, not the schedule: named in the report as a timed step. */
  private timedRelease(opIds: string[], what: string, partial: { waited: number; outstanding: number }): void {
    this.hooks.timed({
      step: 'partial-release',
      opId: opIds[0]!,
      at: performance.now(),
      ms: Math.round(partial.waited),
      detail:
        `${what} while ${partial.outstanding} calls were outstanding, ` +
        `after ${this.hooks.graceMs} ms in which the server saw no new request`,
    });
  }

  /** Every slow reply lands now, in the order they were released. */
  private landAll(partial: { waited: number; outstanding: number } | null): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const landing = this.sleepers.splice(0);
    if (landing.length === 0) return;
    if (partial !== null) {
      const opIds = landing.map((s) => s.op.opId);
      this.timedRelease(opIds, `let the slow replies of ${opIds.join(', ')} land`, partial);
    }
    for (const sleeper of landing) sleeper.land();
  }

  private evaluate(): void {
    if (this.disposed) return;
    if (!this.held.some((h) => !h.pinned)) {
      if (this.sleepers.length > 0) this.landWhenIdle();
      return;
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.due !== null) return;
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
    if (this.blocked(this.batches + 1)) {
      // Complete, but a slow reply must land with it and is still asleep: its waking lets the batch go.
      this.due = { partial };
      return;
    }
    this.waitingSince = null;
    const batch = this.held
      .filter((h) => !h.pinned)
      .sort((a, b) => a.op.release - b.op.release || (a.op.opId < b.op.opId ? -1 : a.op.opId > b.op.opId ? 1 : 0));
    if (batch.length === 0) return;
    this.held = this.held.filter((h) => h.pinned);
    this.batches += 1;
    const landing = this.sleepers.filter((s) => s.landsWith <= this.batches);
    if (landing.length > 0) {
      this.sleepers = this.sleepers.filter((s) => s.landsWith > this.batches);
      // A turn later: the batch's replies have asked to write first, and the slow ones are written right behind them.
      setImmediate(() => {
        for (const sleeper of landing) sleeper.land();
      });
    }
    if (partial !== null) {
      const opIds = batch.map((h) => h.op.opId);
      this.timedRelease(opIds, `released ${opIds.join(', ')}`, partial);
    }
    for (const entry of batch) {
      this.releasedOrder.push(entry.op.opId);
      entry.release();
    }
    this.hooks.onRelease();
  }
}
