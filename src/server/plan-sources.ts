import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import { faultedResponse } from '../scenario/faults.js';
import type { WirePlan } from '../scenario/scenario.js';
import type { PlanSource, ResponsePlan } from './response-plan.js';

/**
 * Ways to put `crosstalk serve` under the same fault vocabulary as `verify`, for a client in another language:
 * a plan file naming request ids, or a seed that draws a fault for every request id.
 */

/** `{"requests": {"<id>": plan}, "prefixes": {"<id prefix>": plan}}`; an exact id wins over a prefix. */
export interface PlanFile {
  requests?: Record<string, WirePlan>;
  prefixes?: Record<string, WirePlan>;
}

const PLAN_KEYS = new Set([
  'headerDelayMs',
  'bodyDelayMs',
  'splitAt',
  'dripMs',
  'interim',
  'connectionClose',
  'keepAliveHintS',
  'finAfter',
  'idleCloseMs',
  'resetAtByte',
  'resetBeforeAnswer',
  'replaceWith',
  'trailers',
  'faults',
]);

function bad(message: string): ConfigError {
  return new ConfigError(ConfigErrorCode.BadOption, message);
}

function validatePlans(where: string, plans: unknown): Record<string, WirePlan> {
  if (plans === undefined) return {};
  if (typeof plans !== 'object' || plans === null || Array.isArray(plans)) throw bad(`${where} must be an object.`);
  for (const [id, plan] of Object.entries(plans)) {
    if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) throw bad(`${where}["${id}"] must be an object.`);
    const unknown = Object.keys(plan).filter((key) => !PLAN_KEYS.has(key));
    if (unknown.length > 0) {
      throw bad(`${where}["${id}"] has unknown field ${unknown.join(', ')}; plan fields: ${[...PLAN_KEYS].join(', ')}.`);
    }
  }
  return plans as Record<string, WirePlan>;
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
  const unknown = Object.keys(json).filter((key) => key !== 'requests' && key !== 'prefixes');
  if (unknown.length > 0) throw bad(`the plan file has unknown member ${unknown.join(', ')} (expected requests, prefixes).`);
  const file = json as Record<string, unknown>;
  return { requests: validatePlans('requests', file.requests), prefixes: validatePlans('prefixes', file.prefixes) };
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
  };
}

/** Plans remembered by id (a resent request meets its plan again without a draw); beyond this the oldest go. */
const PLAN_CACHE_ENTRIES = 10_000;

/**
 * A fault for every request that carries an id, drawn from the vocabulary (`faults`, or all) with a seed derived
 * from `seed` and the id: the same id always gets the same plan, whatever order requests arrive in. The cache is
 * bounded (a day of `serve --faults` must not grow); a forgotten id draws the same plan again.
 */
export function seededFaultSource(seed: number, faults?: readonly string[]): PlanSource {
  const arbitrary = faultedResponse(faults);
  const cache = new Map<string, ResponsePlan>();
  return {
    planFor(requestId): ResponsePlan | undefined {
      if (requestId === undefined) return undefined;
      let plan = cache.get(requestId);
      if (plan === undefined) {
        const derived = createHash('sha256').update(`${seed}:${requestId}`).digest().readInt32LE(0);
        plan = fc.sample(arbitrary, { seed: derived, numRuns: 1 })[0]!.response;
        cache.set(requestId, plan);
        if (cache.size > PLAN_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      }
      return plan;
    },
  };
}
