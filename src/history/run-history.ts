import type { ClientTraits } from '../clients/contract.js';
import type { AbortPoint, Scenario, OperationKind } from '../scenario/scenario.js';
import type { Millis, ServerHistory } from './records.js';
import { HISTORY_SCHEMA } from './records.js';

/** What a caller saw of one operation. */
export type CallOutcome =
  | { type: 'response'; status: number; requestIdSeen: string | null; bodyDigest: string; bytes: number }
  /** The client rejected with an error (no response). `code` is the error's code or name. */
  | { type: 'error'; code: string; message: string }
  /** The caller aborted it (its plan said so) and the client rejected. */
  | { type: 'aborted' }
  /** Still unsettled at the run's deadline. */
  | { type: 'hung' };

export interface CallRecord {
  opId: string;
  /** The `X-Couch-Request-ID` the harness asked the client to send. */
  requestId: string;
  callerId: string;
  tenant: string;
  username: string;
  kind: OperationKind;
  method: 'GET' | 'POST';
  db: string;
  issuedAt: Millis;
  settledAt: Millis | null;
  /**
   * Passes of the event loop at issue and at settle (see LoopClock): a call issued in a later pass than another's
   * reply was delivered could have had that reply's socket. Absent in histories from clients out of process.
   */
  issuedPass?: number;
  settledPass?: number | null;
  abortPlanned: boolean;
  /** Where the scenario had the caller abort (see AbortPoint), null when it waits for its answer. */
  abortAt: AbortPoint['at'] | null;
  outcome: CallOutcome;
}

/**
 * A step of the schedule that waited on the wall clock instead of on something the server observed: the places a
 * replay on a slower or busier machine could differ. Reports name them.
 */
export interface TimedStep {
  /**
   * `idle-gap`: a caller paused for real time (a server's close must reach the client);
   * `partial-release`: held responses went out before every outstanding request had arrived (the server was quiet);
   * `abort-settle`: an aborted call had not settled, and its held reply was released anyway.
   */
  step: 'idle-gap' | 'partial-release' | 'abort-settle';
  opId?: string;
  at: Millis;
  ms: number;
  detail: string;
}

/**
 * Sockets still open after the client's close(), which the harness then destroyed: found when the close bound
 * passed, or once the server had seen nothing at all for the quiet period after close() returned.
 */
export interface SocketsLeftOpen {
  by: 'bound' | 'quiet';
  /** ms after close() returned (after it was called, for `bound` when it never returned). */
  afterMs: number;
}

/** How a run's calls came to an end. */
export type RunEnd =
  /** Every call settled. */
  | 'settled'
  /** Calls were still pending when nothing had happened for `quietMs`: a hang, found by quiescence. */
  | 'quiescence'
  /** Calls were still pending at `deadlineMs`: the backstop. */
  | 'deadline'
  /** A signal stopped the run. */
  | 'interrupted';

export type ResolvedTraits = Required<
  Omit<ClientTraits, 'maxSockets' | 'maxRequestsPerSocket' | 'rejectsErrorStatus' | 'outOfProcess'>
> & {
  maxSockets: number | null;
  maxRequestsPerSocket: number | null;
  /** Optional: histories saved before the trait existed lack it (read as false). */
  rejectsErrorStatus?: boolean;
  /** Optional, as rejectsErrorStatus. */
  outOfProcess?: boolean;
};

/** One verification run: the scenario, what every caller saw, what the server recorded, and the run's phases. */
export interface RunHistory {
  schema: typeof HISTORY_SCHEMA;
  run: number;
  client: string;
  connections: number;
  timeoutMs: number;
  traits: ResolvedTraits;
  scenario: Scenario;
  calls: CallRecord[];
  server: ServerHistory;
  startedAt: Millis;
  /** When every call had settled, or the run was ended (quiescence, deadline, signal). */
  callsEndedAt: Millis;
  deadlineMs: number;
  endedBy: RunEnd;
  /** The quiet period after which pending calls count as hung. */
  quietMs: number;
  /** Steps that waited on the wall clock (the first few; `timedStepCount` counts them all). */
  timedSteps: TimedStep[];
  timedStepCount: number;
  closeCalledAt: Millis;
  /** When `client.close()` resolved; null if it had not within `closeBoundMs`. */
  closeReturnedAt: Millis | null;
  /** When the server saw the run's last socket end; null if some were left open (see `socketsLeftOpen`). */
  socketsClosedAt: Millis | null;
  socketsLeftOpen: SocketsLeftOpen | null;
  closeBoundMs: number;
  /** A signal ended the run early: its calls were cut short, so no invariant is judged on it. */
  interrupted: boolean;
}
