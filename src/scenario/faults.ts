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

/**
 * The client timeout the silences are drawn against when none is given: the `--timeout-ms` default of a `--faults`
 * verification (see DEFAULTS.faultsTimeoutMs in verify/config.ts).
 */
export const DEFAULT_FAULTS_CLIENT_TIMEOUT_MS = 250;
/** A silence meant to outlast the client's own timeout lasts this many times that timeout. */
export const SILENCE_TIMEOUTS = 4;

/** A large body: 64 KiB to 256 KiB, past any client's single read buffer, written in 2-8 pieces. */
const largeBody = ms(64 * 1024, 256 * 1024).chain((bytes) =>
  fc.record({
    bytes: fc.constant(bytes),
    splitAt: fc.uniqueArray(fc.integer({ min: 1, max: bytes - 1 }), { minLength: 2, maxLength: 8 }).map((a) => a.sort((x, y) => x - y)),
  }),
);

/** What `options` may say about the run the faults are drawn for. */
export interface FaultOptions {
  /** The per-operation timeout the client is given: silences are drawn to outlast it (default 250 ms). */
  clientTimeoutMs?: number;
}

/**
 * The faults of issue #11: stray bytes, TLS and connect, silences past the client's timeout, fail-first-N, request
 * body trouble, malformed responses, bodies past a read buffer, Keep-Alive hints at the boundary.
 */
function moreFaultKinds(clientTimeoutMs: number): FaultKind[] {
  const silenceMs = SILENCE_TIMEOUTS * clientTimeoutMs;
  return [
    {
      name: FAULT.strayResponse,
      explain:
        'after a complete response, a second one nobody asked for (a copy of it, or another), in the same write as ' +
        'its last bytes: on the socket before the client can send anything else there',
      legitimate: 'discard the socket; never hand those bytes to another caller',
      plan: fc
        .constantFrom<'duplicate' | 'unsolicited'>('duplicate', 'unsolicited')
        .map((stray) => ({ stray, faults: [FAULT.strayResponse] })),
    },
    {
      name: FAULT.tlsAlert,
      explain: "the connection opened for this operation gets a fatal TLS alert (handshake_failure) for its ClientHello",
      legitimate: 'fail this call (or retry a GET on another socket); nothing else may go wrong',
      plan: fc.constant({ connect: { kind: 'tls-alert' as const }, faults: [FAULT.tlsAlert] }),
    },
    {
      name: FAULT.tlsStall,
      explain: 'the TLS handshake of the connection opened for this operation waits 20-80 ms of real time',
      legitimate: 'wait for the handshake (or time out and fail this call)',
      plan: ms(20, 80).map((stallMs) => ({ connect: { kind: 'tls-stall' as const, stallMs }, faults: [FAULT.tlsStall] })),
    },
    {
      name: FAULT.acceptSilent,
      explain: `the server accepts the connection opened for this operation and says nothing for ${SILENCE_TIMEOUTS}x the client's timeout`,
      legitimate: 'give up by its own timeout and fail this call (or retry a GET); nothing else may go wrong',
      plan: fc.constant({ connect: { kind: 'accept-silent' as const, silenceMs }, faults: [FAULT.acceptSilent] }),
    },
    {
      name: FAULT.connectionRefused,
      explain: 'the connection opened for this operation is reset as soon as it is accepted (a refused connection)',
      legitimate: 'fail this call (or retry a GET on another socket); nothing else may go wrong',
      plan: fc.constant({ connect: { kind: 'connection-refused' as const }, faults: [FAULT.connectionRefused] }),
    },
    {
      name: FAULT.noResponse,
      explain: `the server reads the request and says nothing for ${SILENCE_TIMEOUTS}x the client's own timeout, then closes`,
      legitimate: 'give up by its own timeout and fail this call (or retry a GET on a fresh socket); discard the socket',
      plan: fc.constant({ silenceMs, faults: [FAULT.noResponse] }),
    },
    {
      name: FAULT.stalledBody,
      explain: `the head and part of the body, then nothing (no close) for ${SILENCE_TIMEOUTS}x the client's own timeout`,
      legitimate: 'give up by its own timeout and fail this call; discard the socket; never return the partial body',
      plan: ms(0, 200).map((stallAtByte) => ({ silenceMs, stallAtByte, faults: [FAULT.stalledBody] })),
    },
    {
      name: FAULT.failFirst,
      explain: 'the first 1-3 attempts of this request id fail (a 503, a reset before answering, or a close after the request), later ones are answered',
      legitimate: 'return the 503 or fail the call; a GET may be retried (bounded, on a fresh socket after a reset or close), a POST never',
      plan: fc
        .record({ attempts: ms(1, 3), with: fc.constantFrom<503 | 'reset' | 'close'>(503, 'reset', 'close') })
        .map((failFirst) => ({ failFirst, faults: [FAULT.failFirst] })),
    },
    {
      name: FAULT.requestBodyCut,
      explain: 'for a request with a body: the server reads none of it and closes or resets once the answer is due',
      legitimate: 'fail this call (never resend the POST); discard the socket',
      plan: fc
        .constantFrom<'close' | 'reset'>('close', 'reset')
        .map((cutRequestBody) => ({ cutRequestBody, faults: [FAULT.requestBodyCut] })),
    },
    {
      name: FAULT.expectFinal,
      explain: 'a request with Expect: 100-continue is answered at once with a final 503 and no 100, the connection kept',
      legitimate: 'send the withheld body anyway or close the socket; never reuse the socket with the body unsent',
      plan: fc.constant({ expectFinal: true, faults: [FAULT.expectFinal] }),
    },
    {
      name: FAULT.badChunkSize,
      explain: 'a chunked body whose chunk-size line turns into garbage part-way, then a close',
      legitimate: 'fail this call (or retry a GET); never return the partial body; discard the socket',
      plan: ms(0, 200).map((atByte) => ({ malformed: { kind: 'bad-chunk-size' as const, atByte }, faults: [FAULT.badChunkSize] })),
    },
    {
      name: FAULT.garbageThenClose,
      explain: 'bytes that are no HTTP at all instead of the response, then a close',
      legitimate: 'fail this call (or retry a GET); discard the socket',
      plan: ms(1, 512).map((bytes) => ({ malformed: { kind: 'garbage' as const, bytes }, faults: [FAULT.garbageThenClose] })),
    },
    {
      name: FAULT.emptyResponse,
      explain: 'the server reads the request and closes without writing a byte',
      legitimate: 'fail this call (or retry a GET on a fresh socket); never resend the POST',
      plan: fc.constant({ closeBeforeAnswer: true, faults: [FAULT.emptyResponse] }),
    },
    {
      name: FAULT.shortBody,
      explain: 'a Content-Length longer than the body the server sends, then a FIN',
      legitimate: 'fail this call: a body cut short is not a reply; discard the socket',
      plan: ms(1, 200).map((missing) => ({ malformed: { kind: 'short-body' as const, missing }, faults: [FAULT.shortBody] })),
    },
    {
      name: FAULT.largeBody,
      explain: 'an error (500/503) or success body of 64-256 KiB, written in pieces: past any single read buffer',
      legitimate: 'read or discard the whole body before reusing the socket (also when the client rejects error statuses)',
      plan: fc.oneof(
        fc
          .record({ status: fc.constantFrom(500 as const, 503 as const), body: largeBody })
          .map(({ status, body }) => ({ replaceWith: { status, bodyBytes: body.bytes }, splitAt: body.splitAt, faults: [FAULT.largeBody] })),
        largeBody.map((body) => ({ padBodyTo: body.bytes, splitAt: body.splitAt, faults: [FAULT.largeBody] })),
      ),
    },
    {
      name: FAULT.keepAliveMax,
      explain: 'Keep-Alive: timeout=5, max=N (N 0-2) on this response, and a close right after the N-th response that follows',
      legitimate: 'send at most N more requests on the socket; a request racing the close may fail (or a GET be retried)',
      plan: ms(0, 2).map((keepAliveMax) => ({ keepAliveMax, faults: [FAULT.keepAliveMax] })),
    },
    {
      name: FAULT.keepAliveTimeout,
      explain: 'Keep-Alive: timeout=1 on this response, and a close exactly 1 s after it if the socket is idle then',
      legitimate: 'stop using the socket before the hinted time, or fail (or retry a GET) a request that raced the close',
      plan: fc.constant({ keepAliveHintS: 1, idleCloseMs: 1000, faults: [FAULT.keepAliveTimeout] }),
    },
  ];
}

/** Every fault, with silences drawn against `clientTimeoutMs`. */
export function faultKinds(clientTimeoutMs = DEFAULT_FAULTS_CLIENT_TIMEOUT_MS): readonly FaultKind[] {
  return [...FIRST_FAULT_KINDS, ...moreFaultKinds(clientTimeoutMs)];
}

/** The faults of issue #4: timing, closes, resets, interim responses, trailers, Retry-After. */
const FIRST_FAULT_KINDS: readonly FaultKind[] = [
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

/** The vocabulary, its silences drawn against the default client timeout of a `--faults` run. */
export const FAULT_KINDS: readonly FaultKind[] = faultKinds();

export interface FaultedOp {
  response: WirePlan;
  /** Set when the fault needs the caller to give up first. */
  abort: AbortPoint | null;
}

/**
 * A response plan per operation: mostly well-behaved, each fault common enough that a run of a few dozen operations
 * meets several. `only` narrows the vocabulary (for focused tests and `--faults name,name`).
 */
export function faultedResponse(only?: readonly string[], options: FaultOptions = {}): fc.Arbitrary<FaultedOp> {
  const all = faultKinds(options.clientTimeoutMs);
  const kinds = only === undefined ? all : all.filter((k) => only.includes(k.name));
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
