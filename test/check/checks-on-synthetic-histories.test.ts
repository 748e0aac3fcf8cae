import { describe, expect, it } from 'vitest';
import { checkRun } from '../../src/check/index.js';
import type { CheckResult, InvariantId } from '../../src/check/index.js';
import { HistoryBuilder } from '../support/synthetic-history.js';

function verdict(results: CheckResult[], id: InvariantId): CheckResult {
  return results.find((r) => r.invariant === id)!;
}

/** Two callers, concurrent, on two sockets: the baseline every variant below breaks in one place. */
function twoConcurrentCalls(): HistoryBuilder {
  return new HistoryBuilder()
    .socket(1, 0)
    .socket(2, 0)
    .call('c0-o0', { at: 10, until: 20, socket: 1 })
    .call('c1-o0', { at: 11, until: 21, socket: 2, user: 'bob', tenant: 'globex' });
}

describe('checks on hand-built histories', () => {
  it('a clean concurrent history holds every exercised invariant', () => {
    const results = checkRun(twoConcurrentCalls().build());
    for (const r of results) expect(r.violations, r.invariant).toEqual([]);
    expect(verdict(results, 'no-cross-talk').status).toBe('holds');
    expect(verdict(results, 'tenant-isolation').status).toBe('holds');
  });

  it('no-cross-talk: a reply carrying another request id names the culprit and its socket', () => {
    const h = twoConcurrentCalls()
      .call('c2-o0', { at: 12, until: 22, socket: 1, got: { requestIdSeen: 'r1-c0-o0', bodyDigest: 'digest-c0-o0' } })
      .build();
    const v = verdict(checkRun(h), 'no-cross-talk');
    expect(v.status).toBe('violated');
    expect(v.violations[0]).toMatchObject({ requestId: 'r1-c2-o0', culpritRequestId: 'r1-c0-o0', socketId: 1 });
    expect(v.violations[0]!.message).toContain("which was c0's c0-o0");
  });

  it("no-cross-talk: the right id with another request's body is caught by digest", () => {
    const h = twoConcurrentCalls().call('c2-o0', { at: 12, until: 22, got: { bodyDigest: 'digest-c1-o0' } }).build();
    const v = verdict(checkRun(h), 'no-cross-talk');
    expect(v.violations[0]).toMatchObject({ culpritRequestId: 'r1-c1-o0', socketId: 2 });
  });

  it('no-cross-talk: a body the server never sent is reported as torn', () => {
    const h = twoConcurrentCalls().call('c2-o0', { at: 12, until: 22, got: { bodyDigest: 'spliced' } }).build();
    expect(verdict(checkRun(h), 'no-cross-talk').violations[0]!.message).toContain('torn or spliced');
  });

  it('pool-bound: three sockets busy at once against a bound of two', () => {
    const h = twoConcurrentCalls().socket(3, 0).call('c2-o0', { at: 12, until: 22, socket: 3 }).build();
    const v = verdict(checkRun(h), 'pool-bound');
    expect(v.status).toBe('violated');
    expect(v.figures.maxBusySockets).toBe(3);
  });

  it('pool-bound: a socket closing while its replacement opens is not an overrun', () => {
    const h = new HistoryBuilder()
      .socket(1, 0, 30)
      .socket(2, 0)
      .socket(3, 29)
      .call('c0-o0', { at: 10, until: 20, socket: 1 })
      .call('c1-o0', { at: 11, until: 21, socket: 2 })
      .call('c2-o0', { at: 31, until: 40, socket: 3 })
      .build();
    expect(verdict(checkRun(h), 'pool-bound').violations).toEqual([]);
  });

  it('pool-bound: three sockets open together with none on its way out, however short the run', () => {
    const h = new HistoryBuilder()
      .socket(1, 0, 40)
      .socket(2, 1, 40)
      .socket(3, 2, 40)
      .call('c0-o0', { at: 3, until: 6, socket: 1 })
      .call('c0-o1', { at: 7, until: 10, socket: 3 })
      .build();
    h.closeCalledAt = 20;
    const v = verdict(checkRun(h), 'pool-bound');
    expect(v.violations[0]).toMatchObject({ socketId: 3 });
    expect(v.violations[0]!.message).toContain('none of them on its way out');
  });

  it('pool-bound: a socket retired just before close(), its FIN read after close() began, is on its way out', () => {
    // The reference pool with an idle timeout and warm-up did this: socket 2 retired, socket 3 warmed, close() 0.3 ms
    // later, socket 2's FIN read 0.2 ms after that, ahead of close()'s sweep of the others.
    const h = new HistoryBuilder()
      .socket(1, 0, 47)
      .socket(2, 1, 40.5)
      .socket(3, 40.1, 47)
      .call('c0-o0', { at: 3, until: 6, socket: 1 })
      .call('c1-o0', { at: 3, until: 7, socket: 2 })
      .build();
    h.closeCalledAt = 40.3;
    expect(verdict(checkRun(h), 'pool-bound').violations).toEqual([]);
    // The same ends in close()'s own sweep, after the new socket's: an overrun.
    const late = new HistoryBuilder()
      .socket(1, 0, 47)
      .socket(2, 1, 47.5)
      .socket(3, 40.1, 47)
      .call('c0-o0', { at: 3, until: 6, socket: 1 })
      .call('c1-o0', { at: 3, until: 7, socket: 2 })
      .build();
    late.closeCalledAt = 40.3;
    expect(verdict(checkRun(late), 'pool-bound').violations[0]).toMatchObject({ socketId: 3 });
  });

  it('pool-bound: two requests in flight on one socket without pipelining', () => {
    const h = new HistoryBuilder()
      .socket(1, 0)
      .call('c0-o0', { at: 10, until: 30, socket: 1 })
      .call('c1-o0', { at: 12, until: 31, socket: 1 })
      .build();
    const v = verdict(checkRun(h), 'pool-bound');
    expect(v.violations[0]).toMatchObject({ socketId: 1 });
    expect(v.violations[0]!.message).toContain('does not pipeline');
  });

  it('reuse: a sequential caller that opens a socket per call', () => {
    const b = new HistoryBuilder();
    for (let i = 0; i < 4; i += 1) b.socket(i + 1, i * 20).call(`c0-o${i}`, { at: i * 20, until: i * 20 + 10, socket: i + 1 });
    const v = verdict(checkRun(b.build()), 'reuse');
    expect(v.status).toBe('violated');
    expect(v.figures).toMatchObject({ handshakes: 4, passedOverIdle: 3 });
    expect(v.violations[0]).toMatchObject({ requestId: 'r1-c0-o1', socketId: 2, culpritRequestId: 'r1-c0-o0' });
    expect(v.violations[0]!.message).toContain('while socket 1 sat idle and healthy');
  });

  it('reuse: warming up to the bound for a sequential caller is legitimate (undici Pool does it)', () => {
    const h = new HistoryBuilder()
      .socket(1, 0)
      .socket(2, 15)
      .call('c0-o0', { at: 10, until: 14, socket: 1 })
      .call('c0-o1', { at: 15, until: 19, socket: 2 })
      .call('c0-o2', { at: 20, until: 24, socket: 1 })
      .build();
    const v = verdict(checkRun(h), 'reuse');
    expect(v.violations).toEqual([]);
    expect(v.notes[0]).toContain('opened 2 sockets where 1 caller waited at once');
  });

  it('reuse: a socket begun for a caller who aborted before sending may serve the next call (undici Pool does it)', () => {
    const run = (aborted: boolean) => {
      const b = new HistoryBuilder().socket(1, 0).socket(2, 26).call('c0-o0', { at: 10, until: 14, socket: 1 });
      if (aborted) b.call('c1-o0', { at: 12, until: 13, served: false, got: 'error' });
      return verdict(checkRun(b.call('c0-o1', { at: 25, until: 30, socket: 2 }).build()), 'reuse');
    };
    expect(run(true).violations).toEqual([]);
    // Without the caller who left, socket 2 was opened for c0-o1 while socket 1 sat idle.
    expect(run(false).violations[0]).toMatchObject({ requestId: 'r1-c0-o1', socketId: 2 });
  });

  it("reuse: a worker in another process frees a connection after its answer, and its threads keep their own order", () => {
    // c0-o1 is issued 10 ms after c0-o0's reply and goes out on a new socket while socket 1 sits idle.
    const lagged = (outOfProcess: boolean) =>
      verdict(
        checkRun(
          new HistoryBuilder()
            .withTraits({ outOfProcess })
            .socket(1, 0)
            .socket(2, 25)
            .call('c0-o0', { at: 10, until: 14, socket: 1 })
            .call('c1-o0', { at: 24, until: 30, socket: 2 })
            .build(),
        ),
        'reuse',
      );
    expect(lagged(false).violations[0]).toMatchObject({ requestId: 'r1-c1-o0', socketId: 2 });
    expect(lagged(true).violations).toEqual([]);
    // c1-o0 issued first went out on a new socket; c2-o0, issued after it, got the idle socket 1 first.
    const reordered = (outOfProcess: boolean) =>
      verdict(
        checkRun(
          new HistoryBuilder()
            .withTraits({ outOfProcess })
            .socket(1, 0)
            .socket(2, 50)
            .call('c0-o0', { at: 10, until: 14, socket: 1 })
            .call('c1-o0', { at: 48, until: 60, socket: 2 })
            .call('c2-o0', { at: 48.5, until: 55, socket: 1 })
            .build(),
        ),
        'reuse',
      );
    expect(reordered(false).violations[0]).toMatchObject({ requestId: 'r1-c1-o0', socketId: 2 });
    expect(reordered(true).violations).toEqual([]);
  });

  it('reuse: the same history is legitimate for a client that says it does not reuse', () => {
    const b = new HistoryBuilder().withTraits({ reuses: false, maxSockets: null });
    for (let i = 0; i < 4; i += 1) b.socket(i + 1, i * 20).call(`c0-o${i}`, { at: i * 20, until: i * 20 + 10, socket: i + 1 });
    const v = verdict(checkRun(b.build()), 'reuse');
    expect(v.status).toBe('holds');
    expect(v.notes[0]).toContain('not reusing by design: 4 calls, 4 TLS handshakes');
  });

  it('reuse: a socket the server reset justifies its replacement', () => {
    const h = new HistoryBuilder()
      .socket(1, 0, 25, 'reset')
      .socket(2, 30)
      .call('c0-o0', { at: 10, until: 25, socket: 1, got: 'error', outcome: 'reset', faults: ['reset-mid-body'] })
      .call('c0-o1', { at: 30, until: 40, socket: 2 })
      .build();
    expect(verdict(checkRun(h), 'reuse').violations).toEqual([]);
  });

  it('reuse: a request written after Connection: close', () => {
    const h = new HistoryBuilder()
      .socket(1, 0)
      .call('c0-o0', { at: 10, until: 20, socket: 1, faults: ['connection-close'] })
      .call('c0-o1', { at: 21, until: 30, socket: 1 })
      .build();
    const v = verdict(checkRun(h), 'reuse');
    expect(v.violations[0]).toMatchObject({ requestId: 'r1-c0-o1', culpritRequestId: 'r1-c0-o0', socketId: 1 });
  });

  it("reuse: a request racing the server's silent FIN is a note; one long after it is a violation", () => {
    const race = new HistoryBuilder()
      .socket(1, 0, 20, 'server-close', 'fault:fin-after')
      .call('c0-o0', { at: 10, until: 20, socket: 1, faults: ['fin-after'] })
      .call('c0-o1', { at: 20, until: 30, socket: 1, got: 'error' })
      .build();
    const raced = verdict(checkRun(race), 'reuse');
    expect(raced.violations).toEqual([]);
    expect(raced.notes.join(' ')).toContain('raced the server');

    const ignored = new HistoryBuilder()
      .socket(1, 0, 20, 'server-close', 'fault:fin-after')
      .call('c0-o0', { at: 10, until: 20, socket: 1, faults: ['fin-after'] })
      .call('c0-o1', { at: 120, until: 130, socket: 1, got: 'error' })
      .build();
    expect(verdict(checkRun(ignored), 'reuse').violations[0]!.message).toContain("ignores the server's FIN");
  });

  it('exactly-once: a POST executed twice is a violation; a GET retried after a reset is a note', () => {
    const post = new HistoryBuilder().socket(1, 0).call('c0-o0', { at: 10, until: 20, method: 'POST', attempts: 2 }).build();
    expect(verdict(checkRun(post), 'exactly-once').violations[0]!.message).toContain('not idempotent');

    // First attempt reset on socket 1 (ended at 12), the retry arrives on socket 2 at 13.
    const get = new HistoryBuilder()
      .socket(1, 0, 12, 'reset', 'fault:reset-before-answer')
      .socket(2, 12)
      .call('c0-o0', { at: 10, until: 20, attempts: 2, outcome: 'reset', faults: ['reset-before-answer'] })
      .build();
    const retry = get.server.requests[1]!;
    Object.assign(retry, { socketId: 2, seq: 1, arrivedAt: 13, outcome: 'complete', faults: [] });
    const v = verdict(checkRun(get), 'exactly-once');
    expect(v.violations).toEqual([]);
    expect(v.notes[0]).toContain('legitimate retry');
    expect(v.figures.retries).toBe(1);

    // The same GET sent again while the first attempt was still live is a hedge, not a retry.
    const hedge = structuredClone(get);
    hedge.server.sockets[0]!.endedAt = 30;
    expect(verdict(checkRun(hedge), 'exactly-once').violations[0]!.message).toContain('reached the server 2 times');
  });

  it('exactly-once: a reply for a request the server never saw, and a hang', () => {
    const h = twoConcurrentCalls()
      .call('c2-o0', { at: 12, until: 22, served: false })
      .call('c3-o0', { at: 12, until: 22, got: 'hung', served: false })
      .build();
    const messages = verdict(checkRun(h), 'exactly-once').violations.map((v) => v.message);
    expect(messages.some((m) => m.includes('never received that request'))).toBe(true);
    expect(messages.some((m) => m.includes('never ended') && m.includes('the server never saw it'))).toBe(true);
  });

  it('exactly-once: an error for a request the server answered in full is a lost reply; a reset is not', () => {
    const lost = new HistoryBuilder().socket(1, 0).call('c0-o0', { at: 10, until: 20, got: 'error' }).build();
    const v = verdict(checkRun(lost), 'exactly-once');
    expect(v.violations[0]!.message).toContain('the reply was lost in the client');

    const reset = new HistoryBuilder()
      .socket(1, 0, 25, 'reset')
      .call('c0-o0', { at: 10, until: 20, got: 'error', outcome: 'reset', faults: ['reset-mid-body'] })
      .build();
    expect(verdict(checkRun(reset), 'exactly-once').violations).toEqual([]);
  });

  it("tenant-isolation: a request that reached the server with another tenant's credentials", () => {
    const h = twoConcurrentCalls().call('c2-o0', { at: 12, until: 22, user: 'carol', identity: 'bob' }).build();
    const v = verdict(checkRun(h), 'tenant-isolation');
    expect(v.violations[0]).toMatchObject({ requestId: 'r1-c2-o0' });
    expect(v.violations[0]!.message).toContain('authenticated as bob');
  });

  it("tenant-isolation: a reply produced for another tenant's request", () => {
    const h = twoConcurrentCalls()
      .call('c2-o0', { at: 12, until: 22, served: false, got: { requestIdSeen: 'r1-c1-o0', bodyDigest: 'digest-c1-o0' } })
      .build();
    const v = verdict(checkRun(h), 'tenant-isolation');
    expect(v.violations[0]).toMatchObject({ culpritRequestId: 'r1-c1-o0' });
  });

  it('clean-close: a socket left open after close()', () => {
    const h = twoConcurrentCalls().socket(3, 5, null).build();
    const v = verdict(checkRun(h), 'clean-close');
    expect(v.violations[0]).toMatchObject({ socketId: 3 });
  });

  it('clean-close: a handshake the server still holds silent (accept-silent) at close() is noted, not a leak', () => {
    const held = (faults: string[]) => {
      const h = twoConcurrentCalls().socket(3, 5, null).build();
      const socket = h.server.sockets.find((s) => s.socketId === 3)!;
      socket.handshakeAt = null;
      socket.faults = faults;
      return verdict(checkRun(h), 'clean-close');
    };
    const silent = held(['accept-silent']);
    expect(silent.violations).toEqual([]);
    expect(silent.notes.join('\n')).toMatch(/socket 3 was still in the TLS handshake the server was holding silent/);
    // Any other handshake the client left hanging after close() is still its own.
    expect(held(['tls-stall']).violations[0]).toMatchObject({ socketId: 3 });
  });
});
