import type { CheckResult } from '../check/index.js';
import { describeScenario } from '../scenario/scenario.js';
import type { InvariantSummary } from '../verify/summary.js';
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

/** The whole report, as lines: the verdict, the table, and for a failure the counterexample explained. */
export function formatReport(result: VerifyResult): string[] {
  const lines: string[] = [];
  const verdict =
    result.verdict === 'safe'
      ? `SAFE to share: ${result.client} held every invariant over ${result.runs} runs.`
      : result.verdict === 'inconclusive'
        ? `INCONCLUSIVE: ${result.client} ran out of time after ${result.runs} runs without a violation.`
        : `NOT SAFE to share: ${result.client} violated ${result.invariants.filter((i) => i.status === 'violated').map((i) => i.invariant).join(', ')}.`;
  lines.push(verdict, '');
  lines.push(...verdictTable(result.invariants));
  const notes = result.invariants.flatMap((i) => i.notes.map((n) => `  - [${i.invariant}] ${n}`));
  if (notes.length > 0) lines.push('', 'Observed and legitimate:', ...notes);
  const failure = result.failure;
  if (failure !== null) {
    lines.push(
      '',
      `Counterexample (after ${failure.numShrinks} shrinks): ${failure.scenario.callers.length} callers, ` +
        `${failure.history.calls.length} calls, ${failure.history.server.sockets.length} sockets.`,
      ...describeScenario(failure.scenario).map((l) => `  ${l}`),
      '',
      'What went wrong:',
      ...violationLines(failure.checks),
      '',
      `Replay: ${failure.replay}`,
      `fast-check: ${failure.fastCheck}`,
    );
  }
  lines.push('', `seed ${result.seed} · ${result.runs} runs in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  return lines;
}
