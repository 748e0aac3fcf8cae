import { afterAll, beforeAll, describe, it } from 'vitest';
import type { InvariantId } from '../../../src/check/index.js';
import type { ClientFactory } from '../../../src/clients/contract.js';
import { faultedResponse } from '../../../src/scenario/faults.js';
import type { MockServer } from '../../../src/server/index.js';
import { startMockServer } from '../../../src/server/index.js';
import type { VerifySettings } from '../../../src/verify/verify.js';
import type { CaughtOptions, FaultSettings } from '../../support/expect-caught.js';
import { expectCaught, expectSafe, faultsOff, teethSettings, withFault } from '../../support/expect-caught.js';
import { createMiniPoolClient } from '../../support/mini-pool.js';

/**
 * The three tests every fault class of issue #11 makes of its buggy client, on the teeth settings: safe with faults
 * off, caught with the class's faults on by the invariant that must see it (its message saying what went wrong, its
 * replay reproducing), and a correct client — the mini pool unless the class needs another — passing with them on.
 */
export interface FaultClass {
  /** The class, as the describe block names it. */
  title: string;
  faults: string[];
  seed: number;
  buggy: { name: string; factory: ClientFactory };
  invariant: InvariantId;
  caught: CaughtOptions;
  /** The correct client the class is measured against (default: the mini pool). */
  control?: { name: string; factory: ClientFactory };
  /** What the class needs beyond its faults: the client's timeout for the silences, idle gaps, more runs. */
  settings?: Partial<VerifySettings>;
}

/** The client's own timeout in these tests: the silences last four times it. */
export const TEST_CLIENT_TIMEOUT_MS = 200;
/** Room for a caller's four operations each to wait out that timeout. */
const TEST_DEADLINE_MS = 3_000;

export function describeFaultClass(fault: FaultClass, more?: (server: () => MockServer) => void): void {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const { seed, buggy } = fault;
  const timeoutMs = fault.settings?.timeoutMs ?? TEST_CLIENT_TIMEOUT_MS;
  const on: FaultSettings = { responsePlan: faultedResponse(fault.faults, { clientTimeoutMs: timeoutMs }) };
  const settings = (name: string, factory: ClientFactory): VerifySettings => ({
    ...teethSettings(name, factory, seed),
    timeoutMs,
    deadlineMs: TEST_DEADLINE_MS,
    ...fault.settings,
  });
  const control = fault.control ?? { name: 'mini-pool', factory: createMiniPoolClient };
  const faults = fault.faults.join(', ');

  describe(fault.title, () => {
    it(`${buggy.name} is safe with faults off (seed ${seed})`, async () => {
      await expectSafe(server, faultsOff(settings(buggy.name, buggy.factory)));
    }, 30_000);

    it(`catches ${buggy.name} with ${faults} on, by ${fault.invariant} (seed ${seed})`, async () => {
      await expectCaught(server, fault.invariant, withFault(settings(buggy.name, buggy.factory), on), fault.caught);
    }, 40_000);

    it(`passes ${control.name} with ${faults} on (seed ${seed})`, async () => {
      await expectSafe(server, withFault(settings(control.name, control.factory), on));
    }, 30_000);

    more?.(() => server);
  });
}
