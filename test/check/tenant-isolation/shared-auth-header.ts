/**
 * Bug modelled: per-request credentials written into headers shared by the whole client — dotnet corefx #33109
 * (`HttpClient.DefaultRequestHeaders.Authorization` set per call), axios #1387/#1009 (`headers.common`). Each call
 * puts its caller's Authorization into the client-wide default headers, which are read back when the request is
 * actually written, after waiting for a socket: by then another caller may have put its own there, and the request
 * goes out as another tenant.
 *
 * Caught by: tenant-isolation (a request reached the server authenticated as another caller's user).
 */
import type { ClientFactory, Operation } from '../../../src/clients/contract.js';
import type { RequestShape } from '../../../src/clients/request-shape.js';
import { MiniPool } from '../../support/mini-pool.js';

class SharedAuthHeaderPool extends MiniPool {
  protected override headersFor(operation: Operation, shape: RequestShape): Record<string, string> {
    const { authorization, ...own } = super.headersFor(operation, shape);
    // The bug: this caller's credentials go into state every caller shares, read only at write time.
    if (authorization !== undefined) this.defaultHeaders.authorization = authorization;
    return own;
  }
}

export const createSharedAuthHeaderClient: ClientFactory = (options) => new SharedAuthHeaderPool(options);
