import fc from 'fast-check';
import { paramsArbitrary } from './params.js';
import type { FaultedOp } from './faults.js';
import { plainResponse } from './plain-response.js';
import type { AbortPoint, CallerPlan, OpPlan, OperationKind, Scenario, Tenant } from './scenario.js';
import { SCENARIO_SCHEMA } from './scenario.js';
import { shrinkStructurally } from './shrink.js';

export interface ScenarioConstraints {
  /** Tenants the callers act for (at least one); callers pick among them. */
  tenants: Tenant[];
  /** Most concurrent callers (shrinks towards 1). */
  maxCallers: number;
  /** Most operations per caller (shrinks towards 1). */
  maxOpsPerCaller: number;
  /** Each operation's server-side plan (and the caller abort a fault may need); defaults to well-behaved timing. */
  responsePlan?: fc.Arbitrary<FaultedOp>;
  /** Share of operations the caller aborts, in percent (0 = never). */
  abortPercent?: number;
  /**
   * Occasional idle gaps of real time before an operation ([min, max] ms): bursts after idle gaps, so a request meets
   * a socket the server closed while it sat idle. Off when absent.
   */
  idleGapMs?: [number, number];
}

/**
 * Which database an operation targets: usually its own tenant's, sometimes another tenant's (403) or one that does
 * not exist (404), because error paths are where pools leak permits and leave bytes behind.
 */
function dbArbitrary(own: Tenant, all: Tenant[]): fc.Arbitrary<string> {
  const foreign = all.filter((t) => t.name !== own.name).flatMap((t) => t.databases);
  const choices: Array<fc.WeightedArbitrary<string>> = [
    { weight: 12, arbitrary: fc.constantFrom(...own.databases) },
    { weight: 1, arbitrary: fc.constant('no-such-db') },
  ];
  if (foreign.length > 0) choices.push({ weight: 1, arbitrary: fc.constantFrom(...foreign) });
  return fc.oneof(...choices);
}

const kindArbitrary: fc.Arbitrary<OperationKind> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<OperationKind>('get') },
  { weight: 3, arbitrary: fc.constant<OperationKind>('post') },
  { weight: 1, arbitrary: fc.constant<OperationKind>('queries') },
);

/** A caller's own abort, placed on the schedule: while queued or connecting, while held, or mid-body. */
const abortPointArbitrary: fc.Arbitrary<AbortPoint> = fc.oneof(
  fc.constant<AbortPoint>({ at: 'issue' }),
  fc.constant<AbortPoint>({ at: 'held' }),
  fc.integer({ min: 1, max: 200 }).map((afterBytes): AbortPoint => ({ at: 'body', afterBytes })),
);

export function scenarioArbitrary(constraints: ScenarioConstraints): fc.Arbitrary<Scenario> {
  const { tenants } = constraints;
  if (tenants.length === 0) throw new Error('scenarioArbitrary needs at least one tenant');
  const responsePlan =
    constraints.responsePlan ?? plainResponse.map((response): FaultedOp => ({ response, abort: null }));
  const abortPercent = constraints.abortPercent ?? 0;

  // Mostly at once; sometimes after one or two releases, so the call meets a pool busy with what was released.
  const staggerArbitrary = fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 2 }) },
  );
  const idleGap = constraints.idleGapMs;
  const idleGapArbitrary =
    idleGap === undefined
      ? fc.constant(0)
      : fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: idleGap[0], max: idleGap[1] }) });

  const opFor = (tenant: Tenant) =>
    kindArbitrary.chain((kind) =>
      fc.record({
        stagger: staggerArbitrary,
        idleGapMs: idleGapArbitrary,
        kind: fc.constant(kind),
        db: dbArbitrary(tenant, tenants),
        params: paramsArbitrary(kind),
        abort:
          abortPercent > 0
            ? fc.oneof(
                { weight: 100 - abortPercent, arbitrary: fc.constant(null) },
                { weight: abortPercent, arbitrary: abortPointArbitrary },
              )
            : fc.constant(null),
        release: fc.nat({ max: 1000 }),
        plan: responsePlan,
        mirror: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      }),
    ).map(({ plan, ...op }) => ({
      ...op,
      response: plan.response,
      abort: plan.abort ?? op.abort,
    }));

  const callerArb = fc.integer({ min: 0, max: tenants.length - 1 }).chain((tenantIndex) => {
    const tenant = tenants[tenantIndex]!;
    return fc
      .array(opFor(tenant), { minLength: 1, maxLength: constraints.maxOpsPerCaller })
      .map((ops) => ({ tenant: tenant.name, ops }));
  });

  const generated = fc.array(callerArb, { minLength: 1, maxLength: constraints.maxCallers }).map((callers) => ({
    schema: SCENARIO_SCHEMA,
    tenants,
    callers: callers.map(
      (caller, c): CallerPlan => ({
        callerId: `c${c}`,
        tenant: caller.tenant,
        ops: caller.ops.map(({ mirror, ...op }, o): OpPlan => {
          // Sometimes ask exactly what the previous caller asks at the same step, as another tenant would: identical
          // concurrent requests under different credentials are how coalescing and caching bugs show.
          const model = mirror ? callers[c - 1] : undefined;
          const twin = model !== undefined && model.tenant !== caller.tenant ? model.ops[o] : undefined;
          const shape = twin === undefined ? {} : { kind: twin.kind, db: twin.db, params: twin.params };
          return { opId: `c${c}-o${o}`, ...op, ...shape };
        }),
      }),
    ),
  }));
  return shrinkStructurally(generated, constraints.maxOpsPerCaller);
}
