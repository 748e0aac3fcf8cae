import type { ClientFactory } from '../src/clients/contract.js';
import type { InvariantId } from '../src/check/index.js';
import type { VerifySettings } from '../src/verify/verify.js';
import { createSharedResponseBufferClient } from '../test/check/no-cross-talk/shared-response-buffer.js';
import { createUnboundedPoolClient } from '../test/check/pool-bound/unbounded-pool.js';
import { createPipelinesOnBusySocketClient } from '../test/check/pool-bound/pipelines-on-busy-socket.js';
import { createClosesAfterEachResponseClient } from '../test/check/reuse/closes-after-each-response.js';
import { createNewAgentPerRequestClient } from '../test/check/reuse/new-agent-per-request.js';
import { createRetriesPostOnErrorStatusClient } from '../test/check/exactly-once/retries-post-on-error-status.js';
import { createHedgedPostClient } from '../test/check/exactly-once/hedged-post.js';
import { createLeaksPermitOnErrorClient } from '../test/check/exactly-once/leaks-permit-on-error.js';
import { createSharedAuthHeaderClient } from '../test/check/tenant-isolation/shared-auth-header.js';
import { createCoalesceIgnoresCredentialsClient } from '../test/check/tenant-isolation/coalesce-ignores-credentials.js';
import { createCloseForgetsIdleSocketsClient } from '../test/check/clean-close/close-forgets-idle-sockets.js';
import { createReturnsSocketOnAbortClient } from '../test/faults/late-reply/returns-socket-on-abort.js';
import { createInterimTakenAsFinalClient } from '../test/faults/interim-103/interim-taken-as-final.js';
import { createIgnoresConnectionCloseClient } from '../test/faults/connection-close/ignores-connection-close.js';
import { createIgnoresServerFinClient } from '../test/faults/silent-close/ignores-server-fin.js';
import { createRetriesPostAfterResetClient } from '../test/faults/reset-before-answer/retries-post-after-reset.js';
import { createLeaksPermitOnResetClient } from '../test/faults/reset-mid-body/leaks-permit-on-reset.js';
import { createRetriesOnRetryAfterClient } from '../test/faults/retry-after/retries-on-retry-after.js';
import { createReturnsEarlyOnErrorStatusClient } from '../test/faults/large-error-in-pieces/returns-early-on-error-status.js';
import { createIgnoresTrailersClient } from '../test/faults/trailers/ignores-trailers.js';
import { createDoubleReleaseOnAbortClient } from '../test/faults/caller-abort/double-release-on-abort.js';
import { createKeepsStrayBytesClient } from '../test/faults/stray-bytes/keeps-stray-bytes.js';
import { createReconnectsUncountedClient } from '../test/faults/connect-faults/reconnects-uncounted.js';
import { createTimeoutCoversHeadOnlyClient } from '../test/faults/silence/timeout-covers-head-only.js';
import { createRetriesOnSameSocketClient } from '../test/faults/fail-first/retries-on-same-socket.js';
import { createSkipsBodyAndReusesClient } from '../test/faults/request-body/skips-body-and-reuses.js';
import { createAcceptsShortBodyClient } from '../test/faults/malformed/accepts-short-body.js';
import { createStallsOnUnreadErrorBodyClient } from '../test/faults/large-body/stalls-on-unread-error-body.js';
import { createStopsReusingAfterMaxClient } from '../test/faults/keep-alive-hints/stops-reusing-after-max.js';
import { faultedResponse } from '../src/scenario/faults.js';
import { everyFaultSettings, IDLE_GAP_MS } from '../src/verify/run-verify.js';

/** A deliberately buggy client, the invariant that must catch it, and what it takes to expose it. */
export interface BuggyClient {
  name: string;
  factory: ClientFactory;
  invariant: InvariantId;
  /** Other invariants that name the same bug (a parser desync shows as a lost reply or as another caller's bytes). */
  alsoCaughtBy?: InvariantId[];
  /** Extra settings (faults, aborts) the bug needs; none for the plain ones. */
  settings?: Partial<VerifySettings>;
  /** Exposed by `verify --faults` (every fault on), as opposed to plain traffic. */
  faults?: boolean;
}

/** The plain-traffic buggy clients of issue #3 (the fault classes of issue #4 are added beside them). */
export const PLAIN_BUGGY_CLIENTS: readonly BuggyClient[] = [
  { name: 'shared-response-buffer', factory: createSharedResponseBufferClient, invariant: 'no-cross-talk' },
  { name: 'unbounded-pool', factory: createUnboundedPoolClient, invariant: 'pool-bound' },
  { name: 'pipelines-on-busy-socket', factory: createPipelinesOnBusySocketClient, invariant: 'pool-bound' },
  { name: 'closes-after-each-response', factory: createClosesAfterEachResponseClient, invariant: 'reuse' },
  { name: 'new-agent-per-request', factory: createNewAgentPerRequestClient, invariant: 'reuse' },
  { name: 'retries-post-on-error-status', factory: createRetriesPostOnErrorStatusClient, invariant: 'exactly-once' },
  { name: 'hedged-post', factory: createHedgedPostClient, invariant: 'exactly-once' },
  { name: 'leaks-permit-on-error', factory: createLeaksPermitOnErrorClient, invariant: 'exactly-once' },
  { name: 'shared-auth-header', factory: createSharedAuthHeaderClient, invariant: 'tenant-isolation' },
  { name: 'coalesce-ignores-credentials', factory: createCoalesceIgnoresCredentialsClient, invariant: 'tenant-isolation' },
  { name: 'close-forgets-idle-sockets', factory: createCloseForgetsIdleSocketsClient, invariant: 'clean-close' },
];

/** Every fault on, as `verify --faults` runs them: each buggy client must be found in the mix, not only alone. */
const ALL_FAULTS: Partial<VerifySettings> = { responsePlan: faultedResponse(), abortPercent: 6, idleGapMs: IDLE_GAP_MS };

/** The fault classes of issue #4: each passes with faults off and is caught with them on. */
export const FAULT_BUGGY_CLIENTS: readonly BuggyClient[] = [
  { name: 'returns-socket-on-abort', factory: createReturnsSocketOnAbortClient, invariant: 'no-cross-talk' },
  { name: 'interim-taken-as-final', factory: createInterimTakenAsFinalClient, invariant: 'no-cross-talk' },
  { name: 'ignores-connection-close', factory: createIgnoresConnectionCloseClient, invariant: 'reuse' },
  { name: 'ignores-server-fin', factory: createIgnoresServerFinClient, invariant: 'reuse' },
  { name: 'retries-post-after-reset', factory: createRetriesPostAfterResetClient, invariant: 'exactly-once' },
  { name: 'leaks-permit-on-reset', factory: createLeaksPermitOnResetClient, invariant: 'exactly-once' },
  { name: 'retries-on-retry-after', factory: createRetriesOnRetryAfterClient, invariant: 'exactly-once' },
  {
    name: 'returns-early-on-error-status',
    factory: createReturnsEarlyOnErrorStatusClient,
    invariant: 'exactly-once',
    alsoCaughtBy: ['no-cross-talk'],
  },
  { name: 'ignores-trailers', factory: createIgnoresTrailersClient, invariant: 'exactly-once' },
  { name: 'double-release-on-abort', factory: createDoubleReleaseOnAbortClient, invariant: 'pool-bound' },
].map((client) => ({ ...client, settings: ALL_FAULTS, faults: true }) as BuggyClient);

/**
 * Every fault on as `verify --faults` runs them, the client's timeout as there (the silences outlast it), and
 * crosstalk's deadline past the silences.
 */
const ALL_FAULTS_TIMED: Partial<VerifySettings> = { ...everyFaultSettings(), deadlineMs: 4_000 };

/** The fault classes of issue #11, each found in the mix of every fault. */
export const MORE_FAULT_BUGGY_CLIENTS: readonly BuggyClient[] = [
  { name: 'keeps-stray-bytes', factory: createKeepsStrayBytesClient, invariant: 'no-cross-talk' },
  { name: 'reconnects-uncounted', factory: createReconnectsUncountedClient, invariant: 'clean-close', alsoCaughtBy: ['pool-bound'] },
  { name: 'timeout-covers-head-only', factory: createTimeoutCoversHeadOnlyClient, invariant: 'exactly-once' },
  { name: 'retries-on-same-socket', factory: createRetriesOnSameSocketClient, invariant: 'reuse' },
  { name: 'skips-body-and-reuses', factory: createSkipsBodyAndReusesClient, invariant: 'reuse' },
  { name: 'accepts-short-body', factory: createAcceptsShortBodyClient, invariant: 'no-cross-talk' },
  { name: 'stalls-on-unread-error-body', factory: createStallsOnUnreadErrorBodyClient, invariant: 'exactly-once' },
  { name: 'stops-reusing-after-max', factory: createStopsReusingAfterMaxClient, invariant: 'reuse' },
].map((client) => ({ ...client, settings: ALL_FAULTS_TIMED, faults: true }) as BuggyClient);
