import type { CheckResult } from '../check/index.js';
import { describeScenario } from '../scenario/scenario.js';
import type { InvariantSummary } from '../verify/summary.js';
import type { Failure, FoundFailure } from '../verify/failure.js';
import type { VerifyResult } from '../verify/verify.js';

const STATUS_WORD = { holds: 'holds', violated: 'VIOLATED', 'not-exercised': 'not exercised' } as const;

function figuresText(figures: Record<string, number>): string {
  return Object.entries(figures)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
}

export function verdictTable(invariants: InvariantSummary[]): string[] {
  return table([
    ['invariant', 'status', 'runs exercised', 'figures'],
    ...invariants.map((i) => [i.invariant, STATUS_WORD[i.status], String(i.exercisedRuns), figuresText(i.figures)]),
  ]);
}

function violationLines(checks: CheckResult[]): string[] {
  return checks.flatMap((c) => c.violations.map((v) => `  - [${v.invariant}] ${v.message}`));
}

function verdictLine(result: VerifyResult): string {
  if (result.verdict === 'safe') return `SAFE to share: ${result.client} held every invariant over ${result.runs} runs.`;
  if (result.verdict === 'inconclusive') {
    return result.interrupted
      ? `INCONCLUSIVE: interrupted after ${result.runs} runs of ${result.client}, before any violation was seen.`
      : `INCONCLUSIVE: ${result.client} ran out of time after ${result.runs} runs without a violation.`;
  }
  const violated = result.invariants.filter((i) => i.status === 'violated').map((i) => i.invariant);
  return `NOT SAFE to share: ${result.client} violated ${violated.join(', ')}.`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The first failing run, as it was found: printed before shrinking starts, so a CI log has it whatever happens. */
export function formatFound(found: FoundFailure, lane?: number): string[] {
  return [
    `FOUND a violation in run ${found.run}${lane === undefined ? '' : ` of lane ${lane}`} after ${seconds(found.ms)}: ` +
      `${found.violated.join(', ')}.`,
    ...describeScenario(found.scenario).map((l) => `  ${l}`),
    ...violationLines(found.checks),
    `Replay this run: ${found.replay}`,
  ];
}

/** `1 caller`, `3 callers`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function shrinkLine(failure: Failure): string {
  const size =
    `${count(failure.scenario.callers.length, 'caller')}, ${count(failure.history.calls.length, 'call')}, ` +
    `${count(failure.history.server.sockets.length, 'socket')}`;
  const shrink = failure.shrink;
  if (shrink === null) return `Counterexample (not shrunk): ${size}.`;
  const why = {
    exhausted: 'no smaller case fails',
    budget: `its budget of ${seconds(shrink.budgetMs)} ran out`,
    interrupted: 'interrupted',
  }[shrink.ended];
  return (
    `Counterexample, the smallest case reached: ${size}; ${count(shrink.steps, 'shrink step')} ` +
    `(${shrink.tried} candidates, ${shrink.runs} runs, ${seconds(shrink.ms)}; stopped because ${why}).`
  );
}

/** The counterexample's steps that waited on the wall clock: where a slower machine could replay it differently. */
function timedLines(failure: Failure): string[] {
  const history = failure.history;
  if (history.timedStepCount === 0) return ['Every step of this run followed the schedule (none waited on the wall clock).'];
  const more = history.timedStepCount - history.timedSteps.length;
  return [
    `Timed steps (waits on the wall clock, ${history.timedStepCount}):`,
    ...history.timedSteps.map((step) => `  - ${step.step}: ${step.detail}`),
    ...(more > 0 ? [`  - and ${more} more`] : []),
  ];
}

function replayLine(failure: Failure): string[] {
  const check = failure.replayCheck;
  if (check === null) return [];
  const flaky = failure.flakySmallest;
  if (flaky !== null) {
    return [
      `Replayed ${check.reproduced}/${check.replays}: it reproduces every time. (The smallest case shrinking reached, ` +
        `--path ${flaky.path}, replayed only ${flaky.replayCheck.reproduced}/${flaky.replayCheck.replays}: this larger ` +
        'one is reported instead.)',
    ];
  }
  if (check.reproduced === check.replays) return [`Replayed ${check.reproduced}/${check.replays}: it reproduces every time.`];
  return [
    `Replayed ${check.reproduced}/${check.replays}: FLAKY. This counterexample does not reproduce every time: the ` +
      'timing it needs is not wholly fixed by the schedule, so a replay may report it safe; run the replay a few times.',
  ];
}

/** The whole report, as lines: the verdict, the table, and for a failure the counterexample explained. */
export function formatReport(result: VerifyResult): string[] {
  const lines: string[] = [verdictLine(result), ''];
  lines.push(...verdictTable(result.invariants));
  const notes = result.invariants.flatMap((i) => i.notes.map((n) => `  - [${i.invariant}] ${n}`));
  if (notes.length > 0) lines.push('', 'Observed and legitimate:', ...notes);
  const failure = result.failure;
  if (failure !== null) {
    lines.push(
      '',
      shrinkLine(failure),
      ...describeScenario(failure.scenario).map((l) => `  ${l}`),
      '',
      'What went wrong:',
      ...violationLines(failure.checks),
      '',
      ...timedLines(failure),
      ...replayLine(failure),
      `Replay: ${failure.replay}`,
      `fast-check: ${failure.fastCheck}`,
    );
  }
  const runs = [count(result.runs, 'run')];
  if (result.shrinkRuns > 0) runs.push(`${result.shrinkRuns} shrinking`);
  if (result.replayRuns > 0) runs.push(`${result.replayRuns} replays`);
  lines.push('', `seed ${result.seed} · ${runs.join(', ')} in ${seconds(result.elapsedMs)}`);
  return lines;
}
