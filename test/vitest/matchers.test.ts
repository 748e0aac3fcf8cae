import { describe, expect, it } from 'vitest';
import { checkRun } from '../../src/check/index.js';
import type { InvariantId } from '../../src/check/index.js';
import type { RunHistory } from '../../src/history/run-history.js';
import type { VerifyResult } from '../../src/verify/verify.js';
import { MATCHER_INVARIANTS } from '../../src/vitest/index.js';
import { largeResult } from '../report/html/large-result.js';
import { HistoryBuilder } from '../support/synthetic-history.js';

/** The matchers registered by crosstalk/vitest, on histories built by hand and on results. */

function crossTalk(): RunHistory {
  return new HistoryBuilder()
    .socket(1, 0)
    .call('c1-o0', { socket: 1, at: 10, until: 30, got: { requestIdSeen: 'r1-c2-o0' } })
    .call('c2-o0', { socket: 1, at: 31, until: 50 })
    .build();
}

function clean(): RunHistory {
  return new HistoryBuilder().socket(1, 0).call('c1-o0', { socket: 1, at: 10, until: 30 }).call('c2-o0', { socket: 1, at: 31, until: 50 }).build();
}

type MatcherName = keyof typeof MATCHER_INVARIANTS;
const assert = (value: unknown, name: MatcherName, not = false) => {
  const assertion = not ? expect(value).not : expect(value);
  (assertion as unknown as Record<MatcherName, () => void>)[name]();
};

describe('crosstalk/vitest matchers', () => {
  it('toHaveNoCrossTalk fails on a cross-talk with the violation in words, and passes on a clean history', () => {
    expect(() => expect(crossTalk()).toHaveNoCrossTalk()).toThrow(
      /expected no-cross-talk to hold \(every reply a caller receives[^)]*\), but it was violated:\n {2}- c1-o0 \(caller c1 as alice, request r1-c1-o0\) received the reply to request r1-c2-o0/,
    );
    expect(clean()).toHaveNoCrossTalk();
    expect(() => expect(clean()).not.toHaveNoCrossTalk()).toThrow(/expected no-cross-talk to be violated, but it held/);
  });

  it.each(Object.entries(MATCHER_INVARIANTS) as Array<[MatcherName, InvariantId]>)(
    '%s says what checkRun says of %s',
    (name, invariant) => {
      for (const history of [crossTalk(), clean(), largeResult(40, 4, 2, 10).failure!.history]) {
        const violated = checkRun(history).find((c) => c.invariant === invariant)!.status === 'violated';
        if (violated) {
          expect(() => assert(history, name)).toThrow(new RegExp(`expected ${invariant} to hold`));
          assert(history, name, true);
        } else {
          assert(history, name);
          expect(() => assert(history, name, true)).toThrow(new RegExp(`expected ${invariant} to be violated`));
        }
      }
    },
  );

  it("on a verification result: the counterexample's verdicts, with the replay command", () => {
    const result = largeResult(40, 4, 2, 10);
    result.failure!.replay = 'npx crosstalk verify --seed 5 --path 1:2';
    expect(() => expect(result).toHaveNoCrossTalk()).toThrow(/but it was violated:\n[\s\S]*\nReplay: npx crosstalk verify --seed 5 --path 1:2$/);
    expect(result).toReuseSockets();
    expect(() => expect(result).toBeSafeToShare()).toThrow(/expected the client to be safe to share, but it violated no-cross-talk/);
  });

  it('toBeSafeToShare passes a safe result and fails an inconclusive one', () => {
    const violated = largeResult(40, 4, 2, 10);
    const safe: VerifyResult = {
      ...violated,
      verdict: 'safe',
      failure: null,
      firstFailure: null,
      invariants: violated.invariants.map((i) => ({ ...i, status: 'holds', violatedRuns: 0 })),
    };
    expect(safe).toBeSafeToShare();
    expect(safe).toHaveNoCrossTalk();
    expect(() => expect({ ...safe, verdict: 'inconclusive' }).toBeSafeToShare()).toThrow(/ran out of time: inconclusive/);
  });

  it('refuses what is neither a history nor a result, with .not as well', () => {
    expect(() => expect(42).toHaveNoCrossTalk()).toThrow(/take a RunHistory or a VerifyResult, got number/);
    expect(() => expect({ calls: [] }).not.toReuseSockets()).toThrow(/this is neither \(schema: expected a number, got nothing\)/);
  });
});
