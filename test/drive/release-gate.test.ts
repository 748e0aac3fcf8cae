import { describe, expect, it } from 'vitest';
import type { TimedStep } from '../../src/history/run-history.js';
import type { GateHooks } from '../../src/drive/release-gate.js';
import { ReleaseGate, SLOW_HEAD_LANDS_AFTER } from '../../src/drive/release-gate.js';
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
    activity: () => ({ lastEventAt: performance.now(), handshakesInFlight: 0, plannedInFlight: 0 }),
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

  it('releases a partial batch once the server has been quiet for the grace period, and names that step timed', async () => {
    const quietSince = performance.now();
    const { gate, timed } = gateFor([op('a', 0)], {
      outstanding: () => 2,
      graceMs: 5,
      activity: () => ({ lastEventAt: quietSince, handshakesInFlight: 0, plannedInFlight: 0 }),
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
      activity: () => ({ lastEventAt: quietSince, handshakesInFlight: handshakes, plannedInFlight: 0 }),
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

describe('ReleaseGate: slow heads', () => {
  /** An operation whose reply the scenario planned with a slow head. */
  const slow = (o: OpPlan): OpPlan => ({ ...o, response: { headerDelayMs: 4 } });
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const settle = async () => {
    for (let i = 0; i < 4; i += 1) await turn();
  };

  /**
   * A client with room for two requests at the server; `a` is released alone and sleeps in its slow head, so each
   * later call is a batch of one (its connection is taken). `wakeAt`: when the sleep ends, before `b` is held, once
   * `b` is out, or only once the batch it lands with is due (which must wait for it). The order must not depend on it.
   */
  async function slowRun(wakeAt: 'start' | 'b' | 'c'): Promise<{ events: string[]; timedSteps: number }> {
    const ops = ['a', 'b', 'c', 'd'].map((id, at) => (id === 'a' ? slow(op(id, at)) : op(id, at)));
    let outstanding = 1;
    const { gate, timed } = gateFor(ops, { outstanding: () => outstanding, capacity: 2 });
    const events: string[] = [];
    const hold = (id: string) => gate.planFor(id)!.gate!().then(() => void events.push(`${id} released`));
    const a = gate.planFor('a')!;
    await a.gate!();
    events.push('a released');
    a.slowHead!.sleeping();
    outstanding = 2;
    let landed: Promise<void> | null = null;
    const wake = (): void => {
      landed = a.slowHead!.woke(false).then(() => void events.push('a landed'));
    };
    if (wakeAt === 'start') wake();
    for (const id of ['b', 'c']) {
      const released = hold(id);
      await settle();
      if (wakeAt === 'c' && id === 'c') {
        expect(events, 'the batch it lands with waits for its sleep').not.toContain('c released');
        wake();
      }
      await released;
      if (wakeAt === 'b' && id === 'b') wake();
    }
    await landed;
    // `a` answered, its caller done: one call outstanding.
    outstanding = 1;
    gate.settled();
    await hold('d');
    gate.dispose();
    return { events, timedSteps: timed.length };
  }

  it(`a slow reply lands right behind the batch ${SLOW_HEAD_LANDS_AFTER} after its own, however long its sleep`, async () => {
    expect(SLOW_HEAD_LANDS_AFTER).toBe(2);
    for (const wakeAt of ['start', 'b', 'c'] as const) {
      const { events, timedSteps } = await slowRun(wakeAt);
      expect(events, `woke at ${wakeAt}`).toEqual(['a released', 'b released', 'c released', 'a landed', 'd released']);
      expect(timedSteps).toBe(0);
    }
  });

  it('lands on its own once only slow replies are outstanding, and a cut one never holds a batch up', async () => {
    const { gate } = gateFor([slow(op('a', 0)), op('b', 1)], { outstanding: () => 1, capacity: 2 });
    const a = gate.planFor('a')!;
    await a.gate!();
    a.slowHead!.sleeping();
    expect(gate.holding).toBe(1);
    await a.slowHead!.woke(false);
    expect(gate.holding).toBe(0);

    // A sleeper whose socket closes is gone: the batch it was due to land with goes out at once.
    let outstanding = 1;
    const cutGate = gateFor([slow(op('x', 0)), op('y', 1), op('z', 2)], { outstanding: () => outstanding, capacity: 2 }).gate;
    const x = cutGate.planFor('x')!;
    await x.gate!();
    x.slowHead!.sleeping();
    outstanding = 2;
    await cutGate.planFor('y')!.gate!();
    let zOut = false;
    const z = cutGate.planFor('z')!.gate!().then(() => (zOut = true));
    await settle();
    expect(zOut).toBe(false);
    await x.slowHead!.woke(true);
    await z;
    expect(cutGate.releasedOrder).toEqual(['x', 'y', 'z']);
    cutGate.dispose();
    gate.dispose();
  });

  it('lands on the quiet period, named timed, when a call is outstanding whose request never comes', async () => {
    let outstanding = 1;
    const quietSince = performance.now();
    const { gate, timed } = gateFor([slow(op('a', 0))], {
      outstanding: () => outstanding,
      capacity: 2,
      graceMs: 5,
      activity: () => ({ lastEventAt: quietSince, handshakesInFlight: 0, plannedInFlight: 0 }),
    });
    const a = gate.planFor('a')!;
    await a.gate!();
    a.slowHead!.sleeping();
    outstanding = 2;
    await a.slowHead!.woke(false);
    expect(timed.map((t) => t.step)).toEqual(['partial-release']);
    expect(timed[0]!.detail).toContain('let the slow replies of a land while 2 calls were outstanding');
    gate.dispose();
  });

  it('a reply planned without a slow head gets no hold on its head', () => {
    const { gate } = gateFor([op('a', 0)], { outstanding: () => 1 });
    expect(gate.planFor('a')!.slowHead).toBeUndefined();
    gate.dispose();
  });

  it('a late reply (released once its aborted call settled) is not held in its slow head', async () => {
    const { gate } = gateFor([slow(op('late', 0, { at: 'held' }))], { outstanding: () => 0, onHeld: () => Promise.resolve() });
    const late = gate.planFor('late')!;
    await late.gate!();
    late.slowHead!.sleeping();
    expect(gate.holding).toBe(0);
    await late.slowHead!.woke(false);
    gate.dispose();
  });
});
