import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CONNECT_FAULTS } from '../scenario/fault-names.js';
import { faultedResponse, faultNames, type FaultOptions } from '../scenario/faults.js';
import type { WirePlan } from '../scenario/scenario.js';
import { bad, CONNECT_FAULT, PLAN_FIELDS, validateFields } from './plan-validation.js';
import type { ConnectFault, ConnectionPlan, PlanSource, ResponsePlan } from './response-plan.js';

/**
 * Ways to put `crosstalk serve` under the same fault vocabulary as `verify`, for a client in another language:
 * a plan file naming request ids, or a seed that draws a fault for every request id.
 */

/**
 * `{"requests": {"<id>": plan}, "prefixes": {"<id prefix>": plan}, "connections": {"<n>": connection plan}}`; an exact
 * id wins over a prefix; a connection plan applies to the n-th connection the server accepts (from 1).
 */
export interface PlanFile {
  requests?: Record<string, WirePlan>;
  prefixes?: Record<string, WirePlan>;
  connections?: Record<string, { connect: ConnectFault; faults?: string[] }>;
}

const CONNECTION_FIELDS = { connect: CONNECT_FAULT, faults: PLAN_FIELDS.faults! };

function validatePlans(where: string, plans: unknown): Record<string, WirePlan> {
  if (plans === undefined) return {};
  if (typeof plans !== 'object' || plans === null || Array.isArray(plans)) throw bad(`${where} must be an object.`);
  for (const [id, plan] of Object.entries(plans)) validateFields(`${where}["${id}"]`, plan, PLAN_FIELDS);
  return plans as Record<string, WirePlan>;
}

function validateConnections(plans: unknown): PlanFile['connections'] {
  if (plans === undefined) return {};
  if (typeof plans !== 'object' || plans === null || Array.isArray(plans)) throw bad('connections must be an object.');
  for (const [n, plan] of Object.entries(plans)) {
    if (!/^[1-9]\d*$/.test(n)) throw bad(`connections["${n}"]: connections are numbered from 1, in the order accepted.`);
    validateFields(`connections["${n}"]`, plan, CONNECTION_FIELDS);
    if (!('connect' in (plan as object))) throw bad(`connections["${n}"] needs a connect field (the connection fault).`);
  }
  return plans as PlanFile['connections'];
}

/** Parses and checks a plan file's text; a mistake is a ConfigError naming the field. */
export function parsePlanFile(text: string): PlanFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw bad(`the plan file is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('the plan file must be a JSON object.');
  const members = new Set(['requests', 'prefixes', 'connections']);
  const unknown = Object.keys(json).filter((key) => !members.has(key));
  if (unknown.length > 0) {
    throw bad(`the plan file has unknown member ${unknown.join(', ')} (expected requests, prefixes, connections).`);
  }
  const file = json as Record<string, unknown>;
  return {
    requests: validatePlans('requests', file.requests),
    prefixes: validatePlans('prefixes', file.prefixes),
    connections: validateConnections(file.connections),
  };
}

export function planFileSource(file: PlanFile): PlanSource {
  const prefixes = Object.entries(file.prefixes ?? {}).sort((a, b) => b[0].length - a[0].length);
  return {
    planFor(requestId): ResponsePlan | undefined {
      if (requestId === undefined) return undefined;
      const exact = file.requests?.[requestId];
      if (exact !== undefined) return exact;
      return prefixes.find(([prefix]) => requestId.startsWith(prefix))?.[1];
    },
    connectionPlanFor(socketId): ConnectionPlan | undefined {
      const plan = file.connections?.[String(socketId)];
      return plan === undefined ? undefined : { fault: plan.connect, faults: plan.faults ?? [plan.connect.kind] };
    },
  };
}

/** Plans remembered by id (a resent request meets its plan again without a draw); beyond this the oldest go. */
const PLAN_CACHE_ENTRIES = 10_000;

/**
 * A fault for every request that carries an id, drawn from the vocabulary (`faults`, or all) with a seed derived
 * from `seed` and the id: the same id always gets the same plan, whatever order requests arrive in. The cache is
 * bounded (a day of `serve --faults` must not grow); a forgotten id draws the same plan again. Connection faults
 * (TLS and connect) are drawn the same way for each accepted connection, by its number; a request whose draw was one
 * is answered plainly. Silences are drawn against `clientTimeoutMs`, the timeout the client under test uses.
 */
export function seededFaultSource(seed: number, faults?: readonly string[], options: FaultOptions = {}): PlanSource {
  const requestFaults = (faults ?? faultNames()).filter((name) => !CONNECT_FAULTS.has(name));
  const connectFaults = (faults ?? faultNames()).filter((name) => CONNECT_FAULTS.has(name));
  const requests = requestFaults.length === 0 ? undefined : faultedResponse(requestFaults, options);
  const connections = connectFaults.length === 0 ? undefined : faultedResponse(connectFaults, options);
  const cache = new Map<string, ResponsePlan>();
  const draw = (arbitrary: ReturnType<typeof faultedResponse>, key: string): WirePlan => {
    const derived = createHash('sha256').update(`${seed}:${key}`).digest().readInt32LE(0);
    return fc.sample(arbitrary, { seed: derived, numRuns: 1 })[0]!.response;
  };
  return {
    planFor(requestId): ResponsePlan | undefined {
      if (requestId === undefined || requests === undefined) return undefined;
      let plan = cache.get(requestId);
      if (plan === undefined) {
        plan = draw(requests, requestId);
        cache.set(requestId, plan);
        if (cache.size > PLAN_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      }
      return plan;
    },
    connectionPlanFor(socketId): ConnectionPlan | undefined {
      if (connections === undefined) return undefined;
      const plan = draw(connections, `socket:${socketId}`);
      return plan.connect === undefined ? undefined : { fault: plan.connect, faults: plan.faults ?? [plan.connect.kind] };
    },
  };
}
