import fc from 'fast-check';
import type { OpPlan, Scenario } from './scenario.js';

/**
 * Shrinking that knows what a scenario is made of. fast-check's own shrinking of nested arrays spends most of its
 * steps inside the first caller (one parameter a step) before it tries dropping a caller further on; for a bug whose
 * every run takes a few hundred milliseconds (a hang, a close bound) that is minutes for a case still twice too big.
 * This arbitrary generates the scenario as fast-check would, then shrinks it by taking away what the failure does
 * not need, biggest first: halves and quarters of the callers, single callers, two callers merged into one (the same
 * calls one after the other, each on its own tenant's credentials), single operations, and then each operation's
 * extras (its abort, its server fault, its waits, its stagger, its idle gap). Operations keep their ids, so the shrunk case names the same `c3-o1` the
 * first failure did. The candidate order is fixed, so fast-check's paths replay it exactly.
 */

/**
 * What an operation can lose and still be the same request: its abort, its server plan altogether, the waits in that
 * plan (the same fault, at once: see withoutWaits), its stagger, its idle gap.
 */
type Extra = 'abort' | 'response' | 'waits' | 'stagger' | 'idleGap';
const EXTRAS: readonly Extra[] = ['abort', 'response', 'waits', 'stagger', 'idleGap'];

/**
 * A plan's waits, set to nothing: no delay, no Retry-After seconds, an idle close at 0 ms, a silence or a stalled
 * handshake of 0 ms, a fail-first that fails once.
 */
function withoutWaits(response: OpPlan['response']): OpPlan['response'] {
  const quick = { ...response };
  if (quick.headerDelayMs !== undefined) quick.headerDelayMs = 0;
  if (quick.bodyDelayMs !== undefined) quick.bodyDelayMs = 0;
  if (quick.idleCloseMs !== undefined) quick.idleCloseMs = 0;
  if (quick.silenceMs !== undefined) quick.silenceMs = 0;
  if (quick.replaceWith?.retryAfterS !== undefined) quick.replaceWith = { ...quick.replaceWith, retryAfterS: 0 };
  if (quick.failFirst !== undefined) quick.failFirst = { ...quick.failFirst, attempts: 1 };
  const connect = quick.connect;
  if (connect?.kind === 'tls-stall') quick.connect = { ...connect, stallMs: 0 };
  if (connect?.kind === 'accept-silent') quick.connect = { ...connect, silenceMs: 0 };
  return quick;
}

function hasWaits(response: OpPlan['response']): boolean {
  const connect = response.connect;
  return (
    (response.headerDelayMs ?? 0) > 0 ||
    (response.bodyDelayMs ?? 0) > 0 ||
    (response.idleCloseMs ?? 0) > 0 ||
    (response.silenceMs ?? 0) > 0 ||
    (response.replaceWith?.retryAfterS ?? 0) > 0 ||
    (response.failFirst?.attempts ?? 1) > 1 ||
    (connect?.kind === 'tls-stall' && connect.stallMs > 0) ||
    (connect?.kind === 'accept-silent' && connect.silenceMs > 0)
  );
}

/** An operation of the full scenario (caller and position there), and the extras it has lost. */
interface SelectedOp {
  caller: number;
  index: number;
  dropped: Extra[];
}

/** The callers kept (by their index in the full scenario) and the operations each now makes, in order. */
interface Selection {
  callers: Array<{ index: number; ops: SelectedOp[] }>;
}

function everything(full: Scenario): Selection {
  return {
    callers: full.callers.map((caller, index) => ({
      index,
      ops: caller.ops.map((_, op) => ({ caller: index, index: op, dropped: [] })),
    })),
  };
}

function original(full: Scenario, op: SelectedOp): OpPlan {
  return full.callers[op.caller]!.ops[op.index]!;
}

function hasExtra(op: OpPlan, extra: Extra): boolean {
  switch (extra) {
    case 'abort':
      return op.abort !== null;
    case 'response':
      return Object.keys(op.response).length > 0;
    case 'waits':
      return hasWaits(op.response);
    case 'stagger':
      return op.stagger > 0;
    case 'idleGap':
      return op.idleGapMs > 0;
  }
}

function withoutExtras(op: OpPlan, dropped: readonly Extra[]): OpPlan {
  const plain = { ...op };
  for (const extra of dropped) {
    if (extra === 'abort') plain.abort = null;
    if (extra === 'response') plain.response = {};
    if (extra === 'waits') plain.response = withoutWaits(plain.response);
    if (extra === 'stagger') plain.stagger = 0;
    if (extra === 'idleGap') plain.idleGapMs = 0;
  }
  return plain;
}

function apply(full: Scenario, selection: Selection): Scenario {
  return {
    ...full,
    callers: selection.callers.map(({ index, ops }) => {
      const caller = full.callers[index]!;
      return {
        ...caller,
        ops: ops.map((op) => {
          const plan = withoutExtras(original(full, op), op.dropped);
          // An operation merged in from another tenant's caller keeps acting for that tenant.
          const own = full.callers[op.caller]!.tenant;
          return own === caller.tenant ? plan : { ...plan, tenant: own };
        }),
      };
    }),
  };
}

/** `callers` with the one at `at` replaced by `by` (or removed, for undefined). */
function replaced<T>(list: readonly T[], at: number, by?: T): T[] {
  return [...list.slice(0, at), ...(by === undefined ? [] : [by]), ...list.slice(at + 1)];
}

/** A candidate: the selection it leads to, and a name that stays the same from one shrink step to the next. */
interface Candidate {
  key: string;
  selection: Selection;
}

const opKey = (op: SelectedOp) => `${op.caller}.${op.index}`;

/** Candidates, biggest cut first; each is a whole selection (the value fast-check shrinks further from). */
function* proposals(full: Scenario, selection: Selection, maxOps: number): Generator<Candidate> {
  const callers = selection.callers;
  // Every wait on the wall clock at once (idle gaps, then also the server's planned delays and Retry-After seconds):
  // while they stay, every later candidate's run is slower by them, and most failures do not need them.
  for (const extras of [['idleGap', 'waits'], ['idleGap']] as Extra[][]) {
    let changed = false;
    const quick = callers.map((c) => ({
      ...c,
      ops: c.ops.map((op) => {
        const add = extras.filter((extra) => !op.dropped.includes(extra) && hasExtra(original(full, op), extra));
        if (add.length === 0) return op;
        changed = true;
        return { ...op, dropped: [...op.dropped, ...add] };
      }),
    }));
    if (changed) yield { key: `no-${extras.join('-')}`, selection: { callers: quick } };
  }
  // Blocks of callers, ddmin-style: halves, quarters, ... single callers.
  for (let size = Math.floor(callers.length / 2); size >= 1; size = Math.floor(size / 2)) {
    for (let from = 0; from + size <= callers.length; from += size) {
      const dropped = callers.slice(from, from + size).map((c) => c.index);
      yield { key: `drop-callers:${dropped.join(',')}`, selection: { callers: [...callers.slice(0, from), ...callers.slice(from + size)] } };
    }
  }
  // Two callers as one: the later's operations after the earlier's, each keeping its own tenant's credentials (one
  // caller switching tenants on the shared client). Fewer callers, the same calls. Same-tenant pairs first.
  for (const sameTenant of [true, false]) {
    for (let into = 0; into < callers.length; into += 1) {
      for (let from = into + 1; from < callers.length; from += 1) {
        const a = callers[into]!;
        const b = callers[from]!;
        if ((full.callers[a.index]!.tenant === full.callers[b.index]!.tenant) !== sameTenant) continue;
        if (a.ops.length + b.ops.length > maxOps) continue;
        const merged = replaced(callers, into, { index: a.index, ops: [...a.ops, ...b.ops] });
        yield { key: `merge:${a.index}+${b.index}`, selection: { callers: replaced(merged, from) } };
      }
    }
  }
  // Single operations of callers that keep at least one.
  for (let c = 0; c < callers.length; c += 1) {
    const ops = callers[c]!.ops;
    if (ops.length < 2) continue;
    for (let o = 0; o < ops.length; o += 1) {
      yield {
        key: `drop-op:${opKey(ops[o]!)}`,
        selection: { callers: replaced(callers, c, { index: callers[c]!.index, ops: replaced(ops, o) }) },
      };
    }
  }
  // Each operation's extras, one at a time.
  for (let c = 0; c < callers.length; c += 1) {
    const caller = callers[c]!;
    for (let o = 0; o < caller.ops.length; o += 1) {
      const selected = caller.ops[o]!;
      const op = original(full, selected);
      for (const extra of EXTRAS) {
        if (selected.dropped.includes(extra) || !hasExtra(op, extra)) continue;
        const ops = replaced(caller.ops, o, { ...selected, dropped: [...selected.dropped, extra] });
        yield { key: `extra:${opKey(selected)}:${extra}`, selection: { callers: replaced(callers, c, { index: caller.index, ops }) } };
      }
    }
  }
}

/**
 * The stream fast-check walks: the proposals, those that failed to reproduce at an earlier step deferred to the end
 * (a cut that did not keep the failure then rarely keeps it now, and trying it first at every step is most of the
 * cost of shrinking). Which were rejected is known without any record kept aside: every candidate before the one a
 * step accepted was rejected, and the accepted one's context carries their keys down. Deterministic, so a path
 * replays.
 */
function* candidates(full: Scenario, context: ShrinkContext, maxOps: number): Generator<ShrinkContext> {
  const all = [...proposals(full, context.selection, maxOps)];
  const avoided = new Set(context.rejected);
  const ordered = [...all.filter((c) => !avoided.has(c.key)), ...all.filter((c) => avoided.has(c.key))];
  const rejected = [...context.rejected];
  for (const candidate of ordered) {
    yield { selection: candidate.selection, rejected: [...rejected] };
    if (!rejected.includes(candidate.key)) rejected.push(candidate.key);
  }
}

/** What a value's shrinking continues from: its selection, and the cuts that failed to keep the failure so far. */
interface ShrinkContext {
  selection: Selection;
  rejected: string[];
}

class StructuralShrink extends fc.Arbitrary<Scenario> {
  constructor(
    private readonly full: Scenario,
    private readonly maxOps: number,
  ) {
    super();
  }

  generate(): fc.Value<Scenario> {
    const selection = everything(this.full);
    const context: ShrinkContext = { selection, rejected: [] };
    return new fc.Value(apply(this.full, selection), context);
  }

  canShrinkWithoutContext(_value: unknown): _value is Scenario {
    return false;
  }

  shrink(_value: Scenario, context: unknown): fc.Stream<fc.Value<Scenario>> {
    if (context === undefined) return fc.Stream.nil();
    const full = this.full;
    return new fc.Stream(candidates(full, context as ShrinkContext, this.maxOps)).map(
      (next) => new fc.Value(apply(full, next.selection), next),
    );
  }
}

/**
 * `generated`, never shrunk by fast-check's generic rules, shrunk instead by taking away what a failure does not
 * need. A merged caller makes at most `maxOpsPerCaller` operations.
 */
export function shrinkStructurally(generated: fc.Arbitrary<Scenario>, maxOpsPerCaller: number): fc.Arbitrary<Scenario> {
  return fc.noShrink(generated).chain((full) => new StructuralShrink(full, maxOpsPerCaller));
}
