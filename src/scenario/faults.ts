import fc from 'fast-check';
import { plainResponse } from './plain-response.js';
import { FAULT } from './fault-names.js';
import type { AbortPoint, WirePlan } from './scenario.js';

/**
 * The fault vocabulary: each entry provokes one class of real pool bug (see shared/POOL-BUGS.md) and says, in one
 * sentence, what it does and what a correct client may legitimately do about it.
 */
export interface FaultKind {
  name: string;
  explain: string;
  legitimate: string;
  plan: fc.Arbitrary<WirePlan>;
  /** Some faults only make sense with the caller giving up first (a late reply): where it does. */
  callerAbort?: AbortPoint;
}

const ms = (min: number, max: number) => fc.integer({ min, max });
const offsets = (max: number, count: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max }), { minLength: 1, maxLength: count }).map((a) => a.sort((x, y) => x - y));

export const FAULT_KINDS: readonly FaultKind[] = [
  {
    name: FAULT.headerDelay,
    explain: 'the server waits before sending the status line',
    legitimate: 'wait, or time out and fail this call',
    plan: ms(5, 40).map((headerDelayMs) => ({ headerDelayMs, faults: [FAULT.headerDelay] })),
  },
  {
    name: FAULT.bodyDelay,
    explain: 'the server sends the headers, then waits before the body',
    legitimate: 'wait, or time out and discard the socket',
    plan: ms(5, 40).map((bodyDelayMs) => ({ bodyDelayMs, faults: [FAULT.bodyDelay] })),
  },
  {
    name: FAULT.drip,
    explain: 'the body arrives in many small pieces, each read on its own before the next is written',
    legitimate: 'read every piece before handing the socket back',
    plan: offsets(400, 6).map((splitAt) => ({ splitAt, faults: [FAULT.drip] })),
  },
  {
    name: FAULT.lateReply,
    explain: 'the reply comes after the caller has given up on it (it is held until the abort has settled)',
    legitimate: 'fail the call and never hand that socket, with its late reply, to another caller',
    plan: offsets(300, 3).map((splitAt) => ({ splitAt, faults: [FAULT.lateReply] })),
    callerAbort: { at: 'held' },
  },
  {
    name: FAULT.interim103,
    explain: 'a 103 Early Hints interim response precedes the real one',
    legitimate: 'skip interim responses and read the final one',
    plan: fc.constant({ interim: [103] as Array<100 | 103>, faults: [FAULT.interim103] }),
  },
  {
    name: FAULT.connectionClose,
    explain: 'the response says Connection: close and the server closes after it',
    legitimate: 'not reuse that socket',
    plan: fc.constant({ connectionClose: true, faults: [FAULT.connectionClose] }),
  },
  {
    name: FAULT.idleClose,
    explain: 'the server closes the socket after a short idle time, with or without a Keep-Alive hint',
    legitimate: 'fail or retry (idempotent only) a request that raced the close',
    plan: fc
      .record({ idleCloseMs: ms(0, 12), keepAliveHintS: fc.option(fc.constant(1), { nil: undefined }) })
      .map((p) => ({ ...p, faults: [FAULT.idleClose] })),
  },
  {
    name: FAULT.finAfter,
    explain: 'the server half-closes (FIN) right after the response without announcing it',
    legitimate: 'notice the FIN and open a new socket; fail or retry a GET that raced it',
    plan: fc.constant({ finAfter: true, faults: [FAULT.finAfter] }),
  },
  {
    name: FAULT.resetMidBody,
    explain: 'the server resets the connection partway through the body',
    legitimate: 'fail this call (or retry a GET) and discard the socket',
    plan: ms(1, 120).map((resetAtByte) => ({ resetAtByte, splitAt: [resetAtByte], faults: [FAULT.resetMidBody] })),
  },
  {
    name: FAULT.resetBeforeAnswer,
    explain: 'the server reads the request and resets the connection without answering',
    legitimate: 'fail this call, or retry it only if it is an idempotent GET',
    plan: fc.constant({ resetBeforeAnswer: true, faults: [FAULT.resetBeforeAnswer] }),
  },
  {
    name: FAULT.retryAfter,
    explain: 'the server answers 429 or 503 with Retry-After',
    legitimate: 'return the error to its own caller',
    plan: fc
      .record({ status: fc.constantFrom(429 as const, 503 as const), retryAfterS: ms(0, 2) })
      .map((replaceWith) => ({ replaceWith, faults: [FAULT.retryAfter] })),
  },
  {
    name: FAULT.largeError,
    explain: 'a large error body arrives in pieces, so a client that stops reading early leaves bytes behind',
    legitimate: 'read or discard the whole body before reusing the socket',
    plan: fc
      .record({
        status: fc.constantFrom(500 as const, 503 as const),
        bodyBytes: ms(2_000, 24_000),
        splitAt: offsets(2_000, 4),
      })
      .map(({ status, bodyBytes, splitAt }) => ({ replaceWith: { status, bodyBytes }, splitAt, faults: [FAULT.largeError] })),
  },
  {
    name: FAULT.trailers,
    explain: 'the chunked body ends with a trailer section',
    legitimate: 'consume the trailers before the next response',
    plan: fc.constant({ trailers: true, faults: [FAULT.trailers] }),
  },
];

export interface FaultedOp {
  response: WirePlan;
  /** Set when the fault needs the caller to give up first. */
  abort: AbortPoint | null;
}

/**
 * A response plan per operation: mostly well-behaved, each fault common enough that a run of a few dozen operations
 * meets several. `only` narrows the vocabulary (for focused tests and `--faults name,name`).
 */
export function faultedResponse(only?: readonly string[]): fc.Arbitrary<FaultedOp> {
  const kinds = only === undefined ? FAULT_KINDS : FAULT_KINDS.filter((k) => only.includes(k.name));
  if (kinds.length === 0) throw new Error(`no such fault: ${only?.join(', ')}`);
  const plain = plainResponse.map((response): FaultedOp => ({ response, abort: null }));
  const faulted = kinds.map((kind) => ({
    weight: 1,
    arbitrary: kind.plan.map((response): FaultedOp => ({ response, abort: kind.callerAbort ?? null })),
  }));
  return fc.oneof({ weight: Math.max(2, kinds.length), arbitrary: plain }, ...faulted);
}

export function faultNames(): string[] {
  return FAULT_KINDS.map((k) => k.name);
}
