/**
 * Bug modelled: Fusillade #33 — request de-duplication whose key ignored what makes requests different (conditional
 * headers; here, credentials) and also de-duplicated POSTs. Concurrent calls with the same method, path, query and
 * body share one request and its response, whoever the callers are: the second tenant gets the first tenant's data.
 *
 * Caught by: tenant-isolation (a caller received the reply the server produced for another tenant).
 */
import type { ClientFactory, Operation, OperationResult } from '../../../src/clients/contract.js';
import { requestShape } from '../../../src/clients/request-shape.js';
import { MiniPool } from '../../support/mini-pool.js';

class CoalescingPool extends MiniPool {
  private readonly inFlight = new Map<string, Promise<OperationResult>>();

  override run(operation: Operation): Promise<OperationResult> {
    const shape = requestShape(operation);
    // The bug: the key leaves out the Authorization header.
    const key = `${shape.method} ${shape.path} ${shape.body ?? ''}`;
    const joined = this.inFlight.get(key);
    if (joined !== undefined) return joined;
    const call = super.run(operation).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }
}

export const createCoalesceIgnoresCredentialsClient: ClientFactory = (options) => new CoalescingPool(options);
