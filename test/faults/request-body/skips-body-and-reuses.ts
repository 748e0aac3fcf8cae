/**
 * Bug modelled: `Expect: 100-continue` answered with a final status, the body skipped, the connection reused —
 * OkHttp #3252 (fixed by #3263: "don't reuse connections after an unsuccessful Expect: 100-continue"), golang/go
 * #67555, JDK-8286171. The server was promised Content-Length bytes of body; it reads the next request written on
 * the socket as those bytes (as servers do, golang/go #11549), and that request is never answered as a request.
 * The pool is the correct Expect pool (expect-continue-pool.ts) with its one rule turned off.
 *
 * Caught by: reuse (the server read a request as the withheld body of the one before it on that socket).
 */
import type { ClientFactory } from '../../../src/clients/contract.js';
import { ExpectContinuePool } from './expect-continue-pool.js';

export const createSkipsBodyAndReusesClient: ClientFactory = (options) => new ExpectContinuePool(options, true);
