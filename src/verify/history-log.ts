import type { CheckResult } from '../check/index.js';
import { JsonlWriter } from '../history/jsonl-writer.js';
import { HISTORY_SCHEMA } from '../history/records.js';
import type { RunHistory } from '../history/run-history.js';
import type { VerifyConfig } from './config.js';

/**
 * `verify --history FILE`: every run's joined history (the scenario, what each caller saw, what the server recorded)
 * and its checks, one JSON object a line, streamed as the runs are checked, so a night of runs costs disk, not
 * memory. Lines: one `header`, a `run` per run (shrinking and replay runs included, marked), one `end` when the verification
 * finished (a file without it was cut short).
 */
export const HISTORY_LOG_SCHEMA = 1 as const;

export interface HistoryLogHeader {
  type: 'header';
  schema: typeof HISTORY_LOG_SCHEMA;
  /** Schema of the embedded RunHistory (and its server records). */
  historySchema: typeof HISTORY_SCHEMA;
  client: string;
  seed: number;
  runs: number;
  /** `*At` fields are performance.now() ms of the verifying process (each lane's own); this is its timeOrigin. */
  timeOrigin: number;
  startedAt: string;
}

/** What the property hands over once a run is checked. */
export interface CheckedRun {
  history: RunHistory;
  checks: CheckResult[];
  /** Searching; shrinking (looking for a smaller counterexample); or replaying the final one to check it reproduces. */
  phase: 'search' | 'shrink' | 'replay';
}

export interface HistoryLogRun {
  type: 'run';
  schema: typeof HISTORY_LOG_SCHEMA;
  /** The lane (0 for a single lane; shard k of n is lane k-1) and its seed: `--seed` replays its runs. */
  lane: number;
  seed: number;
  phase: CheckedRun['phase'];
  checks: CheckResult[];
  history: RunHistory;
}

export interface HistoryLogEnd {
  type: 'end';
  schema: typeof HISTORY_LOG_SCHEMA;
  verdict: string;
  runs: number;
  replay: string | null;
}

export type HistoryLogLine = HistoryLogHeader | HistoryLogRun | HistoryLogEnd;

export function historyLogRun(run: CheckedRun, lane: number, seed: number): HistoryLogRun {
  return { type: 'run', schema: HISTORY_LOG_SCHEMA, lane, seed, phase: run.phase, checks: run.checks, history: run.history };
}

export class HistoryLog {
  private constructor(private readonly writer: JsonlWriter) {}

  static async open(file: string, header: Omit<HistoryLogHeader, 'type' | 'schema' | 'historySchema' | 'timeOrigin' | 'startedAt'>): Promise<HistoryLog> {
    const writer = await JsonlWriter.open(file);
    const line: HistoryLogHeader = {
      type: 'header',
      schema: HISTORY_LOG_SCHEMA,
      historySchema: HISTORY_SCHEMA,
      ...header,
      timeOrigin: performance.timeOrigin,
      startedAt: new Date().toISOString(),
    };
    void writer.write(line);
    return new HistoryLog(writer);
  }

  /** A run of lane `lane`; the promise (when there is one) is the disk asking to wait. */
  run(run: CheckedRun, lane: number, seed: number): Promise<void> | undefined {
    return this.writer.write(historyLogRun(run, lane, seed));
  }

  /** The property's `onHistory` for one lane. */
  runsOf(lane: number, seed: number): (run: CheckedRun) => Promise<void> | undefined {
    return (run) => this.run(run, lane, seed);
  }

  /** A line already serialized in a lane's worker. */
  line(text: string): Promise<void> | undefined {
    return this.writer.writeLine(text);
  }

  async end(result: { verdict: string; runs: number; failure: { replay: string } | null } | null): Promise<void> {
    if (result !== null) {
      const end: HistoryLogEnd = {
        type: 'end',
        schema: HISTORY_LOG_SCHEMA,
        verdict: result.verdict,
        runs: result.runs,
        replay: result.failure?.replay ?? null,
      };
      void this.writer.write(end);
    }
    await this.writer.close();
  }
}

/** The log `--history` asks for, or undefined when it was not asked for. */
export async function openHistoryLog(config: VerifyConfig, client: string): Promise<HistoryLog | undefined> {
  if (config.history === undefined) return undefined;
  return HistoryLog.open(config.history, { client, seed: config.seed, runs: config.runs });
}
