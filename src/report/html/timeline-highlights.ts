import type { CheckResult, Violation } from '../../check/index.js';
import type { MarkKind, TimelineMark, TimelineModel } from './timeline-types.js';

/**
 * Ties each violation to what it names: the bars of its request and culprit request (the call and every server
 * record of each), its operation's call, its caller's and socket's lanes. Those are highlighted, a crossed link joins
 * the call to the culprit request, and the violation keeps the time span worth zooming to.
 */
export function highlightViolations(model: TimelineModel, checks: readonly CheckResult[]): void {
  const barsById = new Map(model.bars.map((bar) => [bar.id, bar]));
  const lanesById = new Map(model.lanes.map((lane) => [lane.id, lane]));
  for (const violation of checks.flatMap((c) => c.violations)) {
    const bars = new Set<string>();
    const byRequest = (requestId: string | undefined) => {
      if (requestId === undefined) return;
      for (const bar of model.bars) if (bar.requestId === requestId) bars.add(bar.id);
    };
    byRequest(violation.requestId);
    byRequest(violation.culpritRequestId);
    if (violation.opId !== undefined && barsById.has(`call:${violation.opId}`)) bars.add(`call:${violation.opId}`);
    const lanes = new Set<string>();
    if (violation.callerId !== undefined && lanesById.has(`caller:${violation.callerId}`)) lanes.add(`caller:${violation.callerId}`);
    if (violation.socketId !== undefined && lanesById.has(`socket:${violation.socketId}`)) lanes.add(`socket:${violation.socketId}`);

    for (const id of bars) barsById.get(id)!.highlight = true;
    for (const id of lanes) lanesById.get(id)!.highlight = true;
    for (const mark of model.marks) if (lanes.has(mark.lane) && partOfTheStory(violation, mark)) mark.highlight = true;
    culpritLink(model, violation);
    for (const link of model.links) if (bars.has(link.from) && bars.has(link.to)) link.highlight = true;

    const spans = [...bars].map((id) => barsById.get(id)!);
    const lifeSpans = [...lanes].flatMap((id) => {
      const life = lanesById.get(id)!.life;
      return life === undefined ? [] : [{ from: life.from, to: life.to ?? model.duration }];
    });
    const all = spans.length > 0 ? spans : lifeSpans;
    model.violations.push({
      invariant: violation.invariant,
      message: violation.message,
      bars: [...bars],
      lanes: [...lanes],
      from: all.length > 0 ? Math.min(...all.map((s) => s.from)) : 0,
      to: all.length > 0 ? Math.max(...all.map((s) => s.to)) : model.duration,
    });
  }
}

const SOCKET_ENDS: ReadonlySet<MarkKind> = new Set(['client-close', 'server-close', 'fin', 'reset', 'error']);

/** On a highlighted lane: how its socket ended, and whatever concerns the violation's own request or operation. */
function partOfTheStory(violation: Violation, mark: TimelineMark): boolean {
  if (mark.lane.startsWith('socket:') && SOCKET_ENDS.has(mark.kind)) return true;
  return [violation.requestId, violation.culpritRequestId, violation.opId].some((id) => id !== undefined && mark.label.includes(id));
}

/** The violation ties its call to the other party (the request whose reply or credentials it got, …): link them. */
function culpritLink(model: TimelineModel, violation: Violation): void {
  if (violation.culpritRequestId === undefined || violation.requestId === undefined) return;
  const call = model.bars.find((bar) => bar.kind === 'call' && bar.requestId === violation.requestId);
  if (call === undefined) return;
  for (const bar of model.bars) {
    if (bar.kind !== 'request' || bar.requestId !== violation.culpritRequestId) continue;
    const existing = model.links.find((l) => l.from === call.id && l.to === bar.id);
    if (existing !== undefined) existing.highlight = true;
    else model.links.push({ from: call.id, to: bar.id, kind: 'culprit', highlight: true });
  }
}
