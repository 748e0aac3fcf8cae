import type { CheckResult } from '../check/index.js';
import type { Recheck } from '../verify/recheck.js';
import type { VerifyResult } from '../verify/verify.js';
import { verdictTable } from './console.js';

const STATUS_WORD = { holds: 'holds', violated: 'VIOLATED', 'not-exercised': 'not exercised' } as const;

function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
}

function checksTable(saved: CheckResult[], now: CheckResult[]): string[] {
  return columns([
    ['invariant', 'saved', 're-checked', 'figures'],
    ...now.map((check) => {
      const before = saved.find((c) => c.invariant === check.invariant);
      const figures = Object.entries(check.figures).map(([name, value]) => `${name}=${value}`).join(' ');
      return [check.invariant, before ? STATUS_WORD[before.status] : '-', STATUS_WORD[check.status], figures];
    }),
  ]);
}

/** What `crosstalk check` prints: the re-checked verdicts beside the saved ones, and whether they agree. */
export function formatRecheck(result: VerifyResult, recheck: Recheck, source: string): string[] {
  const failure = result.failure;
  const where = failure === null ? `seed ${result.seed}` : `seed ${failure.seed}, path ${failure.path}`;
  const lines = [`crosstalk check: ${source} — client ${result.client}, ${where} (result schema ${result.schema})`];
  if (failure === null || recheck.checks === null) {
    lines.push(
      `The verification was ${result.verdict.toUpperCase()} over ${result.runs} runs; a result without a ` +
        'counterexample keeps no run history, so there is nothing to re-check. Its verdicts:',
      '',
      ...verdictTable(result.invariants),
    );
    return lines;
  }
  const history = failure.history;
  lines.push(
    `Re-checked the counterexample's history: ${history.scenario.callers.length} callers, ${history.calls.length} ` +
      `calls, ${history.server.requests.length} requests on ${history.server.sockets.length} sockets.`,
    '',
    ...checksTable(failure.checks, recheck.checks),
  );
  const violations = recheck.checks.flatMap((c) => c.violations.map((v) => `  - [${v.invariant}] ${v.message}`));
  if (violations.length > 0) lines.push('', 'What went wrong:', ...violations);
  const violated = recheck.checks.filter((c) => c.status === 'violated').map((c) => c.invariant);
  const verdict = violated.length > 0 ? `NOT SAFE to share (${violated.join(', ')})` : 'every invariant holds';
  lines.push('');
  if (recheck.differences.length === 0) lines.push(`Same verdicts as the run that wrote it: ${verdict}.`);
  else {
    lines.push(
      `The re-check DIFFERS from the saved verdicts (the checks changed since the file was written): ${verdict}.`,
      ...recheck.differences.map((d) => `  - ${d}`),
    );
  }
  lines.push(`Replay: ${failure.replay}`);
  return lines;
}
