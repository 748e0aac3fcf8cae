import type { ClientFactory } from '../../src/clients/contract.js';
import type { VerifySettings } from '../../src/verify/verify.js';

/** Modest settings: enough concurrency to exercise every invariant, small enough for a 2-core CI machine. */
export function teethSettings(clientName: string, factory: ClientFactory, seed: number): VerifySettings {
  return {
    clientName,
    factory,
    seed,
    runs: 30,
    callers: 6,
    opsPerCaller: 4,
    connections: 2,
    timeoutMs: 2000,
    deadlineMs: 1000,
    closeBoundMs: 500,
    graceMs: 15,
    timeBudgetMs: 12_000,
  };
}
