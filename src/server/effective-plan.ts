import { FAULT } from '../scenario/fault-names.js';
import type { ResponsePlan } from './response-plan.js';

/** What the server knows of a request on arrival that decides how a conditional fault applies to it. */
export interface Arrival {
  /** The id the client sent, if any (attempts are counted per id). */
  requestId: string | undefined;
  /** It declares a body (Content-Length > 0, or chunked). */
  hasBody: boolean;
  /** It asked for `Expect: 100-continue`. */
  expectsContinue: boolean;
}

/**
 * Attempts seen per request id, for `failFirst`: kept per server, and only for ids whose plan counts them (a long
 * `serve` session grows by one entry per such id, not per request).
 */
export class AttemptCounter {
  private readonly seen = new Map<string, number>();

  /** This attempt's number, from 1. */
  next(requestId: string): number {
    const attempt = (this.seen.get(requestId) ?? 0) + 1;
    this.seen.set(requestId, attempt);
    return attempt;
  }
}

/**
 * The engine's fields of a plan (its gate, its turns, a mid-body abort, a slow head's place): kept whatever the fault
 * becomes.
 */
function engineOnly(plan: ResponsePlan): ResponsePlan {
  const kept: ResponsePlan = {};
  if (plan.gate !== undefined) kept.gate = plan.gate;
  if (plan.turn !== undefined) kept.turn = plan.turn;
  if (plan.midBody !== undefined) kept.midBody = plan.midBody;
  if (plan.slowHead !== undefined) kept.slowHead = plan.slowHead;
  return kept;
}

/**
 * The plan as it applies to this very request. Most plans apply as they are; the conditional ones decide here:
 * - `failFirst`: the first N attempts of the id fail (a 503, a reset, or a close after the request), later ones are
 *   answered plainly, with no fault recorded;
 * - `expectFinal`: only a request that asked for `Expect: 100-continue` gets the final 503 without a 100;
 * - `cutRequestBody`: only a request with a body has it cut (a close or a reset before any of it is read).
 * A request the condition passes over is answered plainly and records no fault.
 */
export function effectivePlan(plan: ResponsePlan | undefined, arrival: Arrival, attempts: AttemptCounter): ResponsePlan | undefined {
  if (plan === undefined) return undefined;
  // A connection fault was the connection's business (see connect-faults.ts); the request itself is plain.
  if (plan.connect !== undefined) return engineOnly(plan);
  if (plan.failFirst !== undefined) {
    const attempt = arrival.requestId === undefined ? 1 : attempts.next(arrival.requestId);
    if (attempt > plan.failFirst.attempts) return engineOnly(plan);
    const failing: ResponsePlan = { ...engineOnly(plan), failFirst: plan.failFirst, faults: [FAULT.failFirst] };
    const how = plan.failFirst.with;
    if (how === 503) failing.replaceWith = { status: 503, retryAfterS: 0 };
    else if (how === 'reset') failing.resetBeforeAnswer = true;
    else failing.closeBeforeAnswer = true;
    return failing;
  }
  if (plan.expectFinal === true) {
    if (!arrival.expectsContinue) return engineOnly(plan);
    return { ...plan, replaceWith: { status: 503 }, faults: plan.faults ?? [FAULT.expectFinal] };
  }
  if (plan.cutRequestBody !== undefined) {
    if (!arrival.hasBody) return engineOnly(plan);
    const cut: ResponsePlan = { ...engineOnly(plan), cutRequestBody: plan.cutRequestBody, faults: plan.faults ?? [FAULT.requestBodyCut] };
    if (plan.cutRequestBody === 'reset') cut.resetBeforeAnswer = true;
    else cut.closeBeforeAnswer = true;
    return cut;
  }
  return plan;
}
