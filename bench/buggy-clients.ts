import type { ClientFactory } from '../src/clients/contract.js';
import type { InvariantId } from '../src/check/index.js';
import type { VerifySettings } from '../src/verify/verify.js';
import { createSharedResponseBufferClient } from '../test/check/no-cross-talk/shared-response-buffer.js';
import { createUnboundedPoolClient } from '../test/check/pool-bound/unbounded-pool.js';
import { createPipelinesOnBusySocketClient } from '../test/check/pool-bound/pipelines-on-busy-socket.js';
import { createClosesAfterEachResponseClient } from '../test/check/reuse/closes-after-each-response.js';
import { createRetriesPostOnErrorStatusClient } from '../test/check/exactly-once/retries-post-on-error-status.js';
import { createHedgedPostClient } from '../test/check/exactly-once/hedged-post.js';
import { createLeaksPermitOnErrorClient } from '../test/check/exactly-once/leaks-permit-on-error.js';
import { createSharedAuthHeaderClient } from '../test/check/tenant-isolation/shared-auth-header.js';
import { createCoalesceIgnoresCredentialsClient } from '../test/check/tenant-isolation/coalesce-ignores-credentials.js';
import { createCloseForgetsIdleSocketsClient } from '../test/check/clean-close/close-forgets-idle-sockets.js';

/** A deliberately buggy client, the invariant that must catch it, and what it takes to expose it. */
export interface BuggyClient {
  name: string;
  factory: ClientFactory;
  invariant: InvariantId;
  /** Extra settings (faults, aborts) the bug needs; none for the plain ones. */
  settings?: Partial<VerifySettings>;
}

/** The plain-traffic buggy clients of issue #3 (the fault classes of issue #4 are added beside them). */
export const PLAIN_BUGGY_CLIENTS: readonly BuggyClient[] = [
  { name: 'shared-response-buffer', factory: createSharedResponseBufferClient, invariant: 'no-cross-talk' },
  { name: 'unbounded-pool', factory: createUnboundedPoolClient, invariant: 'pool-bound' },
  { name: 'pipelines-on-busy-socket', factory: createPipelinesOnBusySocketClient, invariant: 'pool-bound' },
  { name: 'closes-after-each-response', factory: createClosesAfterEachResponseClient, invariant: 'reuse' },
  { name: 'retries-post-on-error-status', factory: createRetriesPostOnErrorStatusClient, invariant: 'exactly-once' },
  { name: 'hedged-post', factory: createHedgedPostClient, invariant: 'exactly-once' },
  { name: 'leaks-permit-on-error', factory: createLeaksPermitOnErrorClient, invariant: 'exactly-once' },
  { name: 'shared-auth-header', factory: createSharedAuthHeaderClient, invariant: 'tenant-isolation' },
  { name: 'coalesce-ignores-credentials', factory: createCoalesceIgnoresCredentialsClient, invariant: 'tenant-isolation' },
  { name: 'close-forgets-idle-sockets', factory: createCloseForgetsIdleSocketsClient, invariant: 'clean-close' },
];
