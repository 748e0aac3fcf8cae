/**
 * Bug modelled: a keep-alive agent built anew for every request (newrelic-telemetry-sdk-node #39, "https agent for
 * keep alive created each request"; node-v0.x-archive #6964, fixed by #6969: https made a new agent per request).
 * Each call gets a fresh pool of its own, so its socket is never offered to the next call, while the sockets of
 * earlier calls sit idle and open until the client is closed. The pools are bounded generously (50, as the real
 * regression's was), so no run needs more sockets than the bound: only reuse can see it.
 *
 * Caught by: reuse (a new socket for a call while one of the client's own sits idle and healthy).
 */
import type { ClientFactory, ClientOptions, ClientUnderTest, Operation, OperationResult } from '../../../src/clients/contract.js';
import { MiniPool } from '../../support/mini-pool.js';

const BOUND = 50;

class NewAgentPerRequest implements ClientUnderTest {
  readonly traits = { maxSockets: BOUND, pipelining: 1, reuses: true, retriesIdempotent: false };
  private readonly agents: MiniPool[] = [];

  constructor(private readonly options: ClientOptions) {}

  run(operation: Operation): Promise<OperationResult> {
    // The bug: the agent is made inside the call instead of once, beside the client.
    const agent = new MiniPool({ ...this.options, connections: BOUND });
    this.agents.push(agent);
    return agent.run(operation);
  }

  async close(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.close()));
  }
}

export const createNewAgentPerRequestClient: ClientFactory = (options) => new NewAgentPerRequest(options);
