import { Worker } from 'node:worker_threads';
import { ConfigError, CrosstalkError } from '../errors.js';
import { HistoryLog } from './history-log.js';
import type { InvariantSummary } from './summary.js';
import { mergeSummaries } from './summary.js';
import type { VerifyOptions } from './run-verify.js';
import type { VerifyResult } from './verify.js';

type LaneMessage =
  | { type: 'progress'; runs: number }
  | { type: 'history'; line: string }
  | { type: 'result'; result: VerifyResult }
  | { type: 'error'; name?: string; message: string; code?: string };

/** What a lane's worker is given: its own options (seed and runs already its lane's). */
export interface LaneInput {
  input: Omit<VerifyOptions, 'factory' | 'server' | 'onRun' | 'onHistory'> & { seed: number };
  lane: number;
  /** Post each checked run's history line to the main thread, which keeps the one history file. */
  streamHistory: boolean;
}

/** Lane k's seed: the base seed plus k, kept a 32-bit integer so it replays as `--seed`. */
export function laneSeed(seed: number, lane: number): number {
  return (seed + lane) | 0;
}

/** Lane k's share of `runs` split over `lanes`: as even as it gets, the first lanes taking the remainder. */
export function laneRuns(runs: number, lanes: number, lane: number): number {
  return Math.floor(runs / lanes) + (lane < runs % lanes ? 1 : 0);
}

function runLane(laneInput: LaneInput, onRuns: (runs: number) => void, log: HistoryLog | undefined): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    // Compiled next to this file; lanes need the built package (the CLI and the benches run from dist/).
    const worker = new Worker(new URL('./lane-worker.js', import.meta.url), { workerData: laneInput });
    worker.on('message', (message: LaneMessage) => {
      if (message.type === 'progress') onRuns(message.runs);
      else if (message.type === 'history') void log?.line(message.line);
      else if (message.type === 'result') resolve(message.result);
      else {
        const error =
          message.name === 'ConfigError'
            ? new ConfigError(message.code as never, message.message)
            : new CrosstalkError(message.code ?? 'CROSSTALK_LANE', message.message);
        reject(error);
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new CrosstalkError('CROSSTALK_LANE', `a verification lane exited with code ${code}`));
    });
  });
}

/**
 * Independent lanes' results as one verification's: the verdict is the first violating lane's (by lane number),
 * with that lane's seed and path, which replay it exactly as a single lane would; figures merge as across runs.
 * Lanes in worker threads and shards on other machines (`crosstalk merge`) are combined the same way.
 */
export function combineLanes(results: VerifyResult[], baseSeed: number, elapsedMs: number): VerifyResult {
  const failing = results.find((r) => r.verdict === 'violated');
  const verdict = failing !== undefined ? 'violated' : results.some((r) => r.verdict === 'inconclusive') ? 'inconclusive' : 'safe';
  const invariants: InvariantSummary[] = mergeSummaries(results.map((r) => r.invariants));
  const first = results[0]!;
  return {
    ...first,
    seed: failing?.seed ?? baseSeed,
    verdict,
    runs: results.reduce((sum, r) => sum + r.runs, 0),
    elapsedMs,
    invariants,
    firstFailure: failing?.firstFailure ?? null,
    failure: failing?.failure ?? null,
  };
}

/**
 * Runs `runs` across `lanes` worker threads, each an independent property with its own server, client and seed, so
 * a 2-core machine verifies twice as many runs.
 */
export async function verifyInLanes(
  input: Omit<VerifyOptions, 'factory' | 'server' | 'onRun' | 'onHistory'> & { seed: number; runs: number },
  lanes: number,
  onRun?: (runsDone: number) => void,
): Promise<VerifyResult> {
  const started = performance.now();
  const done = new Array<number>(lanes).fill(0);
  const { history, ...laneOptions } = input;
  const file = history?.trim() || undefined;
  const log = file === undefined ? undefined : await HistoryLog.open(file, { client: input.client ?? 'custom', seed: input.seed, runs: input.runs });
  let result: VerifyResult | null = null;
  try {
    const results = await Promise.all(
      Array.from({ length: lanes }, (_, lane) =>
        runLane(
          {
            input: { ...laneOptions, seed: laneSeed(input.seed, lane), runs: laneRuns(input.runs, lanes, lane) },
            lane,
            streamHistory: log !== undefined,
          },
          (runs) => {
            done[lane] = runs;
            onRun?.(done.reduce((a, b) => a + b, 0));
          },
          log,
        ),
      ),
    );
    result = combineLanes(results, input.seed, Math.round(performance.now() - started));
    return result;
  } finally {
    await log?.end(result);
  }
}
