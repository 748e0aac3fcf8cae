import { describe, expect, it } from 'vitest';
import { ReleaseGate } from '../../src/drive/release-gate.js';
import type { OpPlan } from '../../src/scenario/scenario.js';

const op = (opId: string, release: number): OpPlan => ({
  opId,
  thinkMs: 0,
  kind: 'get',
  db: 'db',
  params: {},
  abortAfterMs: null,
  release,
  response: {},
});

function gateFor(ops: OpPlan[], outstanding: () => number, capacity: number | null, graceMs = 1000) {
  return new ReleaseGate(new Map(ops.map((o) => [o.opId, o])), outstanding, capacity, graceMs);
}

describe('ReleaseGate', () => {
  it('holds until every outstanding request has arrived, then releases in scenario order', async () => {
    const ops = [op('a', 3), op('b', 1), op('c', 2)];
    const gate = gateFor(ops, () => 3, null);
    const released: string[] = [];
    const waits = ['a', 'b', 'c'].map((id) => gate.planFor(id)!.gate!().then(() => released.push(id)));
    await Promise.all(waits);
    expect(released).toEqual(['b', 'c', 'a']);
    expect(gate.releasedOrder).toEqual(['b', 'c', 'a']);
    gate.dispose();
  });

  it('releases a batch as soon as the pool bound is reached, without waiting for queued requests', async () => {
    const ops = [op('a', 2), op('b', 1), op('c', 0)];
    const gate = gateFor(ops, () => 3, 2);
    const first = gate.planFor('a')!.gate!();
    const second = gate.planFor('b')!.gate!();
    await Promise.all([first, second]);
    expect(gate.releasedOrder).toEqual(['b', 'a']);
    gate.dispose();
  });

  it('falls back to the grace period when a request never arrives', async () => {
    const gate = gateFor([op('a', 0)], () => 2, null, 5);
    const started = performance.now();
    await gate.planFor('a')!.gate!();
    expect(performance.now() - started).toBeGreaterThanOrEqual(4);
    gate.dispose();
  });

  it('a request it does not know is answered plainly', () => {
    const gate = gateFor([op('a', 0)], () => 1, null);
    expect(gate.planFor('session-login')).toBeUndefined();
    expect(gate.planFor(undefined)).toBeUndefined();
  });
});
