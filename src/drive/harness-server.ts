import type { ServerHistory } from '../history/records.js';
import type { ServerActivity } from '../server/activity.js';
import type { PlanSource } from '../server/response-plan.js';

/**
 * What the drive layer needs of the mock server. `MockServer` satisfies it; tests may hand in anything that does.
 */
export interface HarnessServer {
  origin: string;
  ca: string;
  recorder: {
    mark(): unknown;
    since(mark: never): ServerHistory;
  };
  setPlans(plans: PlanSource | undefined): void;
  /**
   * Resolves true once no socket is open (with `since`: none accepted after that mark), false if some still are
   * after `timeoutMs`.
   */
  whenSocketsClosed(timeoutMs: number, since?: never): Promise<boolean>;
  /** What the server is doing now: the quiescence check's view of it. */
  activity(): ServerActivity;
  /** Destroy every open socket (so a leaky client's leftovers do not spill into the next run). */
  destroySockets(): void;
}
