import { describe, expect, it } from 'vitest';
import { checkRun } from '../../../src/check/index.js';
import type { RunHistory } from '../../../src/history/run-history.js';
import { timelineModel } from '../../../src/report/html/timeline-model.js';
import { HistoryBuilder } from '../../support/synthetic-history.js';

/** The timeline model from histories built by hand: what is drawn where, and what a violation lights up. */

function crossTalk(): RunHistory {
  // c1's call gets the reply of c2's request, both on socket 1, one after the other.
  return new HistoryBuilder()
    .socket(1, 0)
    .socket(2, 5, 900, 'server-close', 'fault:fin-after')
    .call('c1-o0', { socket: 1, at: 10, until: 30, got: { requestIdSeen: 'r1-c2-o0' } })
    .call('c2-o0', { socket: 1, at: 31, until: 50 })
    .call('c3-o0', { socket: 2, at: 12, until: 40, faults: ['late-reply'] })
    .build();
}

describe('timelineModel', () => {
  it('draws a lane per socket, then a lane per caller, on one time axis from the run start', () => {
    const history = crossTalk();
    const model = timelineModel(history, checkRun(history));
    expect(model.lanes.map((l) => l.id)).toEqual(['socket:1', 'socket:2', 'caller:c1', 'caller:c2', 'caller:c3']);
    const request = model.bars.find((b) => b.id === 'req:1:1')!;
    expect(request).toMatchObject({ kind: 'request', lane: 'socket:1', from: 11, to: 29, requestId: 'r1-c1-o0', callerId: 'c1' });
    const call = model.bars.find((b) => b.id === 'call:c1-o0')!;
    expect(call).toMatchObject({ kind: 'call', lane: 'caller:c1', from: 10, to: 30 });
    // A request is drawn in its caller's colour.
    expect(request.color).toBe(call.color);
    expect(model.links).toContainEqual({ from: 'call:c3-o0', to: 'req:2:1', kind: 'own', highlight: false });
    expect(model.duration).toBeGreaterThanOrEqual(1002);
  });

  it('marks handshakes, server closes by kind and injected faults on the socket lanes', () => {
    const history = crossTalk();
    const model = timelineModel(history, []);
    const on = (lane: string) => model.marks.filter((m) => m.lane === lane).map((m) => m.kind);
    expect(on('socket:1')).toEqual(['handshake', 'client-close']);
    expect(on('socket:2')).toEqual(['handshake', 'fin', 'fault']);
    expect(model.marks.find((m) => m.kind === 'fault')!.label).toContain('late-reply');
    expect(model.bars.find((b) => b.requestId === 'r1-c3-o0' && b.kind === 'request')!.faults).toEqual(['late-reply']);
  });

  it('ties a violation to the bars and lanes it names, with a link to the other party', () => {
    const history = crossTalk();
    const checks = checkRun(history);
    expect(checks.find((c) => c.invariant === 'no-cross-talk')!.status).toBe('violated');
    const model = timelineModel(history, checks);
    const violation = model.violations.find((v) => v.invariant === 'no-cross-talk')!;
    expect(violation.message).toContain('r1-c2-o0');
    expect(violation.bars.sort()).toEqual(['call:c1-o0', 'call:c2-o0', 'req:1:1', 'req:1:2']);
    expect(violation.lanes.sort()).toEqual(['caller:c1', 'socket:1']);
    expect(model.bars.filter((b) => b.highlight).map((b) => b.id).sort()).toEqual(violation.bars.sort());
    expect(model.lanes.filter((l) => l.highlight).map((l) => l.id).sort()).toEqual(['caller:c1', 'socket:1']);
    expect(model.links).toContainEqual({ from: 'call:c1-o0', to: 'req:1:2', kind: 'culprit', highlight: true });
    expect(violation.from).toBe(10);
    expect(violation.to).toBe(50);
  });

  it('shows hung calls open-ended to the end of the calls, and a request still unanswered open-ended', () => {
    const builder = new HistoryBuilder().socket(1, 0).call('c1-o0', { socket: 1, at: 10, until: 20, got: 'hung' });
    const history = builder.build();
    history.server.requests[0]!.lastByteAt = null;
    const model = timelineModel(history, checkRun(history));
    const call = model.bars.find((b) => b.kind === 'call')!;
    expect(call).toMatchObject({ tone: 'hung', open: true, to: history.callsEndedAt });
    expect(model.bars.find((b) => b.kind === 'request')!.open).toBe(true);
    expect(model.marks.some((m) => m.kind === 'hang' && m.lane === 'caller:c1')).toBe(true);
    expect(model.violations.some((v) => v.invariant === 'exactly-once' && v.bars.includes('call:c1-o0'))).toBe(true);
  });

  it("marks the schedule's timed steps on the caller's lane, an abort where the call settled, and how the calls ended", () => {
    const history = new HistoryBuilder().socket(1, 0).call('c1-o0', { socket: 1, at: 10, until: 20 }).call('c1-o1', { socket: 1, at: 90, until: 99 }).build();
    history.timedSteps = [
      { step: 'idle-gap', opId: 'c1-o1', at: 20, ms: 70, detail: 'c1 idled 70 ms before c1-o1' },
      { step: 'partial-release', at: 15, ms: 5, detail: 'released with a request still to come' },
    ];
    history.calls[0]!.outcome = { type: 'aborted' };
    history.calls[0]!.abortPlanned = true;
    history.calls[0]!.abortAt = 'held';
    history.endedBy = 'quiescence';
    const model = timelineModel(history, []);
    expect(model.marks.filter((m) => m.kind === 'timed')).toEqual([
      { lane: 'caller:c1', at: 20, kind: 'timed', label: 'timed step (idle-gap, 70 ms): c1 idled 70 ms before c1-o1', highlight: false },
    ]);
    expect(model.marks.find((m) => m.kind === 'abort')).toMatchObject({ lane: 'caller:c1', at: 20, label: 'c1 gave up on c1-o0 (abort once the server holds the request)' });
    expect(model.rules.map((r) => r.label)).toEqual(expect.arrayContaining(['timed: partial-release', 'calls ended: the run went quiet (a hang)']));
  });

  it('puts overlapping requests on one socket in rows of their own', () => {
    const history = new HistoryBuilder()
      .socket(1, 0)
      .call('c1-o0', { socket: 1, at: 10, until: 40 })
      .call('c2-o0', { socket: 1, at: 20, until: 50 })
      .call('c3-o0', { socket: 1, at: 45, until: 60 })
      .build();
    const model = timelineModel(history, []);
    expect(model.lanes[0]!.rows).toBe(2);
    expect(model.bars.filter((b) => b.lane === 'socket:1').map((b) => b.row)).toEqual([0, 1, 0]);
  });

  it('reads only what it draws: fields it does not know change nothing, missing optional ones are fine', () => {
    const history = crossTalk();
    const plain = timelineModel(history, checkRun(history));
    const extended = structuredClone(history) as RunHistory & Record<string, unknown>;
    extended.hangDetectedBy = 'deadline';
    (extended.calls[0] as unknown as Record<string, unknown>).abortPoint = 'mid-body';
    (extended.server.sockets[0] as unknown as Record<string, unknown>).tlsVersion = 'TLSv1.3';
    expect(timelineModel(extended, checkRun(extended))).toEqual(plain);
    // A request on a socket the server's socket list lacks still gets a lane.
    const partial = structuredClone(history);
    partial.server.sockets = partial.server.sockets.filter((s) => s.socketId !== 2);
    expect(timelineModel(partial, []).lanes.map((l) => l.id)).toContain('socket:2');
  });
});
