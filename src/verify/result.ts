import type { Failure, FoundFailure } from './failure.js';
import type { RecordedSettings } from './recorded-settings.js';
import type { InvariantSummary } from './summary.js';

/**
 * The version of a result's shape, saved files included (`verify --json`; read back by `crosstalk check` and
 * `crosstalk report`). Bump it when a field is renamed, removed or made required; new optional fields need no bump.
 * 2: the first failure as found, shrink and replay statistics, and the settings the verification ran with.
 */
export const VERIFY_SCHEMA = 2 as const;


export interface VerifyResult {
  schema: typeof VERIFY_SCHEMA;
  client: string;
  connections: number;
  callers: number;
  opsPerCaller: number;
  seed: number;
  /** What was asked: runs, faults, timeouts (see RecordedSettings). */
  settings: RecordedSettings;
  verdict: 'safe' | 'violated' | 'inconclusive';
  /** Set when a signal stopped the verification early (what was found so far is still reported). */
  interrupted: boolean;
  /** Search runs executed (shrinking and replays are counted apart). */
  runs: number;
  shrinkRuns: number;
  replayRuns: number;
  elapsedMs: number;
  invariants: InvariantSummary[];
  /** The first violating run as it was found, before shrinking. */
  firstFailure: FoundFailure | null;
  /** The final counterexample: the smallest case shrinking reached. */
  failure: Failure | null;
}
