import type { IncomingMessage } from 'node:http';
import type { OpPlan } from '../scenario/scenario.js';
import type { ConnectionPlan, PlanSource, ResponsePlan } from '../server/response-plan.js';

/**
 * Connection faults (TLS alert, stalled handshake, silent accept, refused), chosen per operation like every fault,
 * though a connection is opened before any request says whose it is. An operation planned with one arms it when it
 * is issued; the next connection the server accepts while that operation is still outstanding, and before its
 * request has arrived on any socket, gets the fault. An operation whose request went out on a socket the client
 * already had never meets its fault (it is disarmed on arrival). Requests themselves go through the release gate.
 */
export class ConnectArming implements PlanSource {
  private readonly armed: Array<{ op: OpPlan; requestId: string }> = [];

  constructor(
    /** The release gate: every request's plan, held and released on the schedule. */
    private readonly gate: PlanSource,
    private readonly requestIdOf: (op: OpPlan) => string,
    /** Whether the operation's call is issued and not settled. */
    private readonly outstanding: (op: OpPlan) => boolean,
  ) {}

  /** Before `op` is issued: its connection fault, if it has one, waits for the next connection accepted. */
  arm(op: OpPlan): void {
    if (op.response.connect !== undefined) this.armed.push({ op, requestId: this.requestIdOf(op) });
  }

  planFor(requestId: string | undefined, request: IncomingMessage): ResponsePlan | undefined {
    const at = this.armed.findIndex((entry) => entry.requestId === requestId);
    if (at !== -1) this.armed.splice(at, 1);
    return this.gate.planFor(requestId, request);
  }

  connectionPlanFor(): ConnectionPlan | undefined {
    while (this.armed.length > 0) {
      const { op, requestId } = this.armed.shift()!;
      const fault = op.response.connect;
      if (fault === undefined || !this.outstanding(op)) continue;
      return { fault, faults: op.response.faults ?? [fault.kind], forRequestId: requestId };
    }
    return undefined;
  }
}
