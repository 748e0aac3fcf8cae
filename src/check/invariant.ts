import type { HistoryIndex } from '../history/history-index.js';
import type { RunHistory } from '../history/run-history.js';

export type InvariantId =
  | 'no-cross-talk'
  | 'pool-bound'
  | 'reuse'
  | 'exactly-once'
  | 'tenant-isolation'
  | 'clean-close';

export type CheckStatus = 'holds' | 'violated' | 'not-exercised';

/** One broken promise, in words, with the ids that find it in the history and the report. */
export interface Violation {
  invariant: InvariantId;
  message: string;
  callerId?: string;
  opId?: string;
  requestId?: string;
  socketId?: number;
  /** The other party: the request whose reply was delivered, whose credentials were used, etc. */
  culpritRequestId?: string;
}

export interface CheckResult {
  invariant: InvariantId;
  status: CheckStatus;
  violations: Violation[];
  /** Measured figures for the verdict table (max sockets, handshakes, retries …). */
  figures: Record<string, number>;
  /** Things observed that are legitimate and worth showing (an idempotent retry, a client that does not reuse). */
  notes: string[];
}

export interface Invariant {
  id: InvariantId;
  title: string;
  /** The rule in one sentence. */
  rule: string;
  check(history: RunHistory, index: HistoryIndex): CheckResult;
}

export function result(
  invariant: InvariantId,
  exercised: boolean,
  violations: Violation[],
  figures: Record<string, number> = {},
  notes: string[] = [],
): CheckResult {
  const status: CheckStatus = violations.length > 0 ? 'violated' : exercised ? 'holds' : 'not-exercised';
  return { invariant, status, violations, figures, notes };
}
