import type { VerifySettings } from './settings.js';

/**
 * The settings a verification ran with, as plain data in its result: a saved result says what was asked (runs,
 * faults, timeouts) as well as what was found, so it can be read, re-checked and replayed without the command line
 * that produced it.
 */
export interface RecordedSettings {
  /** Runs asked for (the result's `runs` counts those done, shrinking included). */
  runs: number;
  /** The counterexample path replayed, when this verification was a replay. */
  path: string | null;
  /** The server faults the scenarios drew from, by name; null when faults were off. */
  faults: string[] | null;
  abortPercent: number;
  idleGapMs: [number, number] | null;
  timeoutMs: number;
  deadlineMs: number;
  /** Pending calls with nothing happening for this long are a hang; null: the engine's default. */
  quietMs: number | null;
  closeBoundMs: number;
  graceMs: number;
  timeBudgetMs: number;
  /** null: the engine's default. */
  shrinkBudgetMs: number | null;
  replayChecks: number;
  noShrink: boolean;
}

export function recordSettings(settings: VerifySettings): RecordedSettings {
  return {
    runs: settings.runs,
    path: settings.path ?? null,
    faults: settings.faults ?? null,
    abortPercent: settings.abortPercent ?? 0,
    idleGapMs: settings.idleGapMs ?? null,
    timeoutMs: settings.timeoutMs,
    deadlineMs: settings.deadlineMs,
    quietMs: settings.quietMs ?? null,
    closeBoundMs: settings.closeBoundMs,
    graceMs: settings.graceMs,
    timeBudgetMs: settings.timeBudgetMs,
    shrinkBudgetMs: settings.shrinkBudgetMs ?? null,
    replayChecks: settings.replayChecks ?? 0,
    noShrink: settings.noShrink === true,
  };
}
