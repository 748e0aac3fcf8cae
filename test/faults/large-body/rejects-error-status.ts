/**
 * Not a bug: the control for large bodies, and a client with the `rejectsErrorStatus` trait. Like undici's old
 * `throwOnError` (now its `responseError` interceptor, which reads the error body into the error) and axios's default
 * `validateStatus`, `run()` rejects on a 4xx or 5xx instead of returning it, but only once the error body has been
 * read to its end, so the socket goes back to the pool clean. What the checks judge for it is that socket, not the
 * rejection.
 */
import type { ClientFactory, ClientOptions, Operation, OperationResult } from '../../../src/clients/contract.js';
import { MiniPool, MiniPoolError } from '../../support/mini-pool.js';

export class ErrorStatusError extends MiniPoolError {
  constructor(readonly status: number) {
    super('HTTP_ERROR_STATUS', `the server answered ${status}`);
  }
}

class RejectsErrorStatusPool extends MiniPool {
  constructor(options: ClientOptions) {
    super(options);
    this.traits.rejectsErrorStatus = true;
  }

  override async run(operation: Operation): Promise<OperationResult> {
    const result = await super.run(operation);
    if (result.status >= 400) throw new ErrorStatusError(result.status);
    return result;
  }
}

export const createRejectsErrorStatusClient: ClientFactory = (options) => new RejectsErrorStatusPool(options);
