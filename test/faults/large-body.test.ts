import { expect, it } from 'vitest';
import type { ClientFactory, ClientUnderTest } from '../../src/clients/contract.js';
import { FAULT } from '../../src/scenario/fault-names.js';
import { verifyAgainst } from '../../src/verify/verify.js';
import { faultsOff, teethSettings } from '../support/expect-caught.js';
import { describeFaultClass } from './support/fault-class.js';
import { createRejectsErrorStatusClient } from './large-body/rejects-error-status.js';
import { createStallsOnUnreadErrorBodyClient } from './large-body/stalls-on-unread-error-body.js';

describeFaultClass(
  {
    title: 'bodies past a read buffer (large-body), for a client that rejects error statuses',
    faults: [FAULT.largeBody],
    seed: 1307,
    buggy: { name: 'stalls-on-unread-error-body', factory: createStallsOnUnreadErrorBodyClient },
    invariant: 'exactly-once',
    caught: { message: /never ended/ },
    control: { name: 'rejects-error-status', factory: createRejectsErrorStatusClient },
  },
  (server) => {
    it('judges the rejection itself as a lost reply when the client does not declare rejectsErrorStatus', async () => {
      // The trait is what makes the rejection legitimate: without it, the same client loses every error reply.
      const undeclared: ClientFactory = async (options) => {
        const client: ClientUnderTest = await createRejectsErrorStatusClient(options);
        return { run: (operation) => client.run(operation), close: () => client.close(), traits: { ...client.traits, rejectsErrorStatus: false } };
      };
      const result = await verifyAgainst(server(), faultsOff(teethSettings('rejects-undeclared', undeclared, 1307)));
      const exactlyOnce = result.firstFailure?.checks.find((c) => c.invariant === 'exactly-once');
      expect(exactlyOnce?.violations.map((v) => v.message).join('\n')).toMatch(/failed with HTTP_ERROR_STATUS .*the reply was lost in the client/);
    }, 30_000);
  },
);
