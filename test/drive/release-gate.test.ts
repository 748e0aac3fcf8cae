import { describe, expect, it } from 'vitest';
import type { TimedStep } from '../../src/history/run-history.js';
import type { GateHooks } from '../../src/drive/release-gate.js';
import { ReleaseGate } from '../../src/drive/release-gate.js';
import type { OpPlan } from '../../src/scenario/scenario.js';

const op = (opId: string, release: number, abort: OpPlan['abort'] = null): OpPlan => ({
  opId,
  stagger: 0,
  idleGapMs: 0,
  kind: 'get',
  db: 'db',
  params: {},
  abort,
  release,
  response: {},
});

interface Fixture {
  gate: ReleaseGate;
  timed: TimedStep[];
  releases: () => number;
}

/** A gate over `ops` with a server whose last event was `quietFor` ms ago (and stays so). */
function gateFor(ops: OpPlan[], hooks: Partial<GateHooks> & { outstanding: () => number }): Fixture {
  const timed: TimedStep[] = [];
  let releases = 0;
  const gate = new ReleaseGate(new Map(ops.map((o) => [o.opId, o])), {
    capacity: null,
    graceMs: 1000,
    activity: () => ({ lastEventAt: performance.now(), handshakesInFlight: 0, plannedInFlight: 0, pausedInFlight: 0 }),
    onHeld: () => null,
    onMidBody: () => Promise.resolve(),
    onRelease: () => (releases += 1),
    timed: (step) => timed.push(step),
    ...hooks,
  });
  return { gate, timed, releases: () => releases };
}

describe('ReleaseGate', () => {
  it('holds until every outstanding request has arrived, then releases in scenario order, as one batch', async () => {
    const ops = [op('a', 3), op('b', 1), op('c', 2)];
    const { gate, releases, timed } = gateFor(ops, { outstanding: () => 3 });
    const released: string[] = [];
    const waits = ['a', 'b', 'c'].map((id) => gate.planFor(id)!.gate!().then(() => released.push(id)));
    await Promise.all(waits);
    expect(released).toEqual(['b', 'c', 'a']);
    expect(gate.releasedOrder).toEqual(['b', 'c', 'a']);
    expect(releases()).toBe(1);
    expect(timed).toEqual([]);
    gate.dispose();
  });

  it('releases a batch as soon as the pool bound is reached, without waiting for queued requests', async () => {
    const ops = [op('a', 2), op('b', 1), op('c', 0)];
    const { gate } = gateFor(ops, { outstanding: () => 3, capacity: 2 });
    await Promise.all([gate.planFor('a')!.gate!(), gate.planFor('b')!.gate!()]);
    expect(gate.releasedOrder).toEqual(['b', 'a']);
    gate.dispose();
  });

  it('counts a released reply in a slow head as holding its connection: the rest go out without the grace wait', async () => {
    // Pool of 3, 3 calls outstanding: one released earlier and sleeping in its slow head at the server, two held.
    // No third arrival can come (the sleeping reply holds the third connection), so the two go out at once. The
    // server is never quiet here (its last event is always now): without the rule the gate would wait for ever.
    const activity = () => ({ lastEventAt: performance.now(), handshakesInFlight: 0, plannedInFlight: 1, pausedInFlight: 1 });
    const { gate, timed } = gateFor([op('a', 2), op('b', 1)], { outstanding: () => 3, capacity: 3, activity });
    await Promise.all([gate.planFor('a')!.gate!(), gate.planFor('b')!.gate!()]);
    expect(gate.releasedOrder).toEqual(['b', 'a']);
    expect(timed).toEqual([]);
    gate.dispose();

    // Without the sleeping reply, two held of three possible is not a batch: the gate waits for its grace.
    const quietSince = performance.now();
    const waiting = gateFor([op('d', 0), op('e', 1)], {
      outstanding: () => 3,
      capacity: 3,
      graceMs: 40,
      activity: () => ({ lastEventAt: quietSince, handshakesInFlight: 0, plannedInFlight: 0, pausedInFlight: 0 }),
    });
    let released = false;
    const held = Promise.all([waiting.gate.planFor('d')!.gate!(), waiting.gate.planFor('e')!.gate!()]).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(released).toBe(false);
    await held;
    expect(waiting.timed.map((t) => t.step)).toEqual(['partial-release']);
    waiting.gate.dispose();
  });

  it('releases a partial batch once the server has been quiet for the grace period, and names that step timed', async () => {
    const quietSince = performance.now();
    const { gate, timed } = gateFor([op('a', 0)], {
      outstanding: () => 2,
      graceMs: 5,
      activity: () => ({ lastEventAt: quietSince, handshakesInFlight: 0, plannedInFlight: 0, pausedInFlight: 0 }),
    });
    await gate.planFor('a')!.gate!();
    expect(performance.now() - quietSince).toBeGreaterThanOrEqual(4);
    expect(timed.map((t) => t.step)).toEqual(['partial-release']);
    expect(timed[0]!.detail).toContain('2 calls were outstanding');
    gate.dispose();
  });

  it('keeps waiting while a handshake is under way, however quiet the server', async () => {
    let handshakes = 1;
    const quietSince = performance.now();
    const { gate } = gateFor([op('a', 0)], {
      outstanding: () => 2,
      graceMs: 2,
      activity: () => ({ lastEventAt: quietSince, handshakesInFlight: handshakes, plannedInFlight: 0, pausedInFlight: 0 }),
    });
    let released = false;
    const wait = gate.planFor('a')!.gate!().then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(released).toBe(false);
    handshakes = 0;
    await wait;
    gate.dispose();
  });

  it('keeps a pinned reply back until its promise resolves, apart from the batch', async () => {
    let unpin: () => void = () => undefined;
    const pinned = new Promise<void>((resolve) => (unpin = resolve));
    const ops = [op('late', 0, { at: 'held' }), op('b', 1)];
    const { gate } = gateFor(ops, { outstanding: () => 2, onHeld: (o) => (o.opId === 'late' ? pinned : null) });
    const late = gate.planFor('late')!.gate!();
    await gate.planFor('b')!.gate!();
    expect(gate.releasedOrder).toEqual(['b']);
    expect(gate.holding).toBe(1);
    unpin();
    await late;
    expect(gate.releasedOrder).toEqual(['b', 'late']);
    gate.dispose();
  });

  it('asks for a mid-body pause for an abort at `body`', () => {
    const { gate } = gateFor([op('a', 0, { at: 'body', afterBytes: 40 })], { outstanding: () => 1 });
    expect(gate.planFor('a')!.midBody?.atByte).toBe(40);
    gate.dispose();
  });

  it('a request it does not know is answered plainly', () => {
    const { gate } = gateFor([op('a', 0)], { outstanding: () => 1 });
    expect(gate.planFor('session-login')).toBeUndefined();
    expect(gate.planFor(undefined)).toBeUndefined();
  });
});
