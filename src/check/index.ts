import { indexHistory } from '../history/history-index.js';
import type { RunHistory } from '../history/run-history.js';
import { cleanClose } from './clean-close.js';
import { exactlyOnce } from './exactly-once.js';
import type { CheckResult, Invariant } from './invariant.js';
import { noCrossTalk } from './no-cross-talk.js';
import { poolBound } from './pool-bound.js';
import { reuse } from './reuse.js';
import { tenantIsolation } from './tenant-isolation.js';

export const INVARIANTS: readonly Invariant[] = [noCrossTalk, poolBound, reuse, exactlyOnce, tenantIsolation, cleanClose];

export function checkRun(history: RunHistory): CheckResult[] {
  const index = indexHistory(history);
  return INVARIANTS.map((invariant) => invariant.check(history, index));
}

export type { CheckResult, CheckStatus, Invariant, InvariantId, Violation } from './invariant.js';
