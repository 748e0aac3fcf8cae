import type { InvariantId } from '../check/index.js';
import { INVARIANTS } from '../check/index.js';
import type { InvariantVerdict } from './history-verdicts.js';
import { ruleOf, verdictOn } from './history-verdicts.js';

/** One matcher per invariant, named for what a correct shared client does. */
export const MATCHER_INVARIANTS = {
  toHaveNoCrossTalk: 'no-cross-talk',
  toStayWithinPoolBound: 'pool-bound',
  toReuseSockets: 'reuse',
  toRunEachCallExactlyOnce: 'exactly-once',
  toIsolateTenants: 'tenant-isolation',
  toCloseCleanly: 'clean-close',
} as const satisfies Record<string, InvariantId>;

export interface CrosstalkMatchers<R = void> {
  /** Every reply a caller received is the server's response to its own request. */
  toHaveNoCrossTalk(): R;
  /** Never more sockets open, or busy, than the client's bound. */
  toStayWithinPoolBound(): R;
  /** Idle sockets reused; none reused after the server closed it. */
  toReuseSockets(): R;
  /** Every call ended, and the server saw each request once (an idempotent GET may be retried). */
  toRunEachCallExactlyOnce(): R;
  /** Each request carried its own caller's credentials, and no caller got another tenant's reply. */
  toIsolateTenants(): R;
  /** After close(), every socket the client opened was gone within the bound. */
  toCloseCleanly(): R;
  /** Every invariant holds (and a verification was not cut short). */
  toBeSafeToShare(): R;
}

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

interface MatcherContext {
  isNot: boolean;
}

function words(verdict: InvariantVerdict): string {
  const lines = verdict.violations.map((v) => `  - ${v.message}`);
  if (verdict.replay !== null) lines.push(`Replay: ${verdict.replay}`);
  return lines.join('\n');
}

function invariantMatcher(invariant: InvariantId) {
  return function (this: MatcherContext, received: unknown): MatcherResult {
    const verdict = verdictOn(received, invariant);
    const pass = verdict.status !== 'violated';
    return {
      pass,
      message: () =>
        pass
          ? `expected ${invariant} to be violated, but it ${verdict.status === 'holds' ? 'held' : 'was not exercised'} ` +
            `(${invariant}: ${ruleOf(invariant)}).`
          : `expected ${invariant} to hold (${ruleOf(invariant)}), but it was violated:\n${words(verdict)}`,
    };
  };
}

function safeToShare(this: MatcherContext, received: unknown): MatcherResult {
  const verdicts = INVARIANTS.map((i) => verdictOn(received, i.id));
  const broken = verdicts.filter((v) => v.status === 'violated');
  const inconclusive = verdicts.some((v) => v.inconclusive);
  const pass = broken.length === 0 && !inconclusive;
  return {
    pass,
    message: () => {
      if (pass) return 'expected a violation, but every invariant held.';
      if (broken.length === 0) return 'expected the client to be safe to share, but the verification ran out of time: inconclusive.';
      const replay = broken[0]!.replay;
      const text = broken.map((v) => `${v.invariant}:\n${words({ ...v, replay: null })}`).join('\n');
      return `expected the client to be safe to share, but it violated ${broken.map((v) => v.invariant).join(', ')}:\n${text}` +
        (replay === null ? '' : `\nReplay: ${replay}`);
    },
  };
}

/** The matchers as `expect.extend` takes them. */
export const crosstalkMatchers = {
  ...Object.fromEntries(Object.entries(MATCHER_INVARIANTS).map(([name, invariant]) => [name, invariantMatcher(invariant)])),
  toBeSafeToShare: safeToShare,
} as Record<keyof CrosstalkMatchers, (this: MatcherContext, received: unknown) => MatcherResult>;
