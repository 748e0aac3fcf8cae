import type { CheckResult } from '../check/index.js';
import { checkRun } from '../check/index.js';
import type { VerifyResult } from './verify.js';

/** A saved result's counterexample checked again: what the invariants say of its history now, against the file. */
export interface Recheck {
  /** The invariants on the saved history, now; null when the result keeps no history (no counterexample). */
  checks: CheckResult[] | null;
  /** What the file says they were. */
  saved: CheckResult[] | null;
  /** Where the two disagree, in words; empty when every verdict, figure and violation is the same. */
  differences: string[];
  /** The exit code `crosstalk check` gives: 0 every invariant holds, 1 one is violated (or the run was cut short). */
  exitCode: 0 | 1;
}

function messages(check: CheckResult | undefined): string[] {
  return (check?.violations ?? []).map((v) => v.message);
}

function sameFigures(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

/** Compares two sets of verdicts invariant by invariant: status, then violations, then figures. */
export function compareChecks(saved: CheckResult[], now: CheckResult[]): string[] {
  const differences: string[] = [];
  const ids = [...new Set([...saved.map((c) => c.invariant), ...now.map((c) => c.invariant)])];
  for (const id of ids) {
    const before = saved.find((c) => c.invariant === id);
    const after = now.find((c) => c.invariant === id);
    if (before === undefined || after === undefined) {
      differences.push(`${id}: ${before === undefined ? 'not in the file' : 'no longer checked'}`);
    } else if (before.status !== after.status) {
      differences.push(`${id}: saved ${before.status}, re-checked ${after.status}`);
    } else if (messages(before).join('\n') !== messages(after).join('\n')) {
      differences.push(`${id}: ${before.status} both times, but the violations are described differently`);
    } else if (!sameFigures(before.figures, after.figures)) {
      differences.push(`${id}: ${before.status} both times, but its figures differ`);
    }
  }
  return differences;
}

/** Re-runs every invariant on the saved counterexample's history. Pure: the history is data. */
export function recheckResult(result: VerifyResult): Recheck {
  if (result.failure === null) {
    return { checks: null, saved: null, differences: [], exitCode: result.verdict === 'safe' ? 0 : 1 };
  }
  const checks = checkRun(result.failure.history);
  const differences = compareChecks(result.failure.checks, checks);
  return {
    checks,
    saved: result.failure.checks,
    differences,
    exitCode: checks.some((c) => c.status === 'violated') ? 1 : 0,
  };
}
