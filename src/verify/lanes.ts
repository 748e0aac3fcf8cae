import { Worker } from 'node:worker_threads';
import { ConfigError, CrosstalkError } from '../errors.js';
import type { InvariantSummary } from './summary.js';
import { mergeSummaries } from './summary.js';
import type { VerifyEvent } from './events.js';
import { HistoryLog } from './history-log.js';
import type { VerifyOptions } from './run-verify.js';
import type { VerifyResult } from './verify.js';

/** What a lane is given: the options a user gives, without what cannot cross a thread (factory, server, callbacks). */
export type LaneInput = Omit<VerifyOptions, 'factory' | 'server' | 'onEvent' | 'signal' | 'onHistory'> & {
  /** Post each checked run's history line, as this lane, to the main thread, which keeps the one history file. */
  streamHistoryAs?: { lane: number };
};

/** Lane → main thread. */
export type LaneMessage =
  | { type: 'event'; event: VerifyEvent }
  | { type: 'history'; line: string }
  | { type: 'result'; result: VerifyResult }
  | { type: 'error'; name?: string; message: string; code?: string };

/** Main thread → lane. */
export type MainMessage = { type: 'stop' };

/** Lane k's seed: the base seed plus k, kept a 32-bit integer so it replays as `--seed`. */
export function laneSeed(seed: number, lane: number): number {
  return (seed + lane) | 0;
}

/** Lane k's share of `runs` split over `lanes`: as even as it gets, the first lanes taking the remainder. */
export function laneRuns(runs: number, lanes: number, lane: number): number {
  return Math.floor(runs / lanes) + (lane < runs % lanes ? 1 : 0);
}

function runLane(
  input: LaneInput,
  onEvent: (event: VerifyEvent) => void,
  signal: AbortSignal | undefined,
  log: HistoryLog | undefined,
): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    // Compiled next to this file; lanes need the built package (the CLI and the benches run from dist/).
    const worker = new Worker(new URL('./lane-worker.js', import.meta.url), { workerData: input });
    const stop = (): void => worker.postMessage({ type: 'stop' } satisfies MainMessage);
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', stop));
    worker.on('message', (message: LaneMessage) => {
      if (message.type === 'event') onEvent(message.event);
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
 * Independent lanes' results as one verification's: the verdict is the first violating lane's (by lane number), with
 * that lane's seed and path, which replay it exactly as a single lane would; figures merge as they do across runs.
 * Lanes in worker threads and shards on other machines (`crosstalk merge`) are put together the same way.
 */
export function combineLanes(results: VerifyResult[], baseSeed: number, totalRuns: number, elapsedMs: number): VerifyResult {
  const failing = results.find((r) => r.verdict === 'violated');
  const verdict = failing !== undefined ? 'violated' : results.some((r) => r.verdict === 'inconclusive') ? 'inconclusive' : 'safe';
  const invariants: InvariantSummary[] = mergeSummaries(results.map((r) => r.invariants));
  const first = results[0]!;
  return {
    ...first,
    seed: failing?.seed ?? baseSeed,
    settings: { ...first.settings, runs: totalRuns },
    verdict,
    interrupted: results.some((r) => r.interrupted),
    runs: results.reduce((sum, r) => sum + r.runs, 0),
    shrinkRuns: results.reduce((sum, r) => sum + r.shrinkRuns, 0),
    replayRuns: results.reduce((sum, r) => sum + r.replayRuns, 0),
    elapsedMs,
    invariants,
    firstFailure: failing?.firstFailure ?? null,
    failure: failing?.failure ?? null,
  };
}

/**
 * Runs `runs` across `lanes` worker threads, each an independent property with its own server, client and seed, so
 * a 2-core machine verifies twice as many runs. With `history`, the lanes post their runs and one file gets them all.
 */
export async function verifyInLanes(
  input: LaneInput & { seed: number; runs: number },
  lanes: number,
  options: { onEvent?: (event: VerifyEvent) => void; signal?: AbortSignal } = {},
): Promise<VerifyResult> {
  const started = performance.now();
  const done = new Array<number>(lanes).fill(0);
  // Search progress adds up across lanes; everything else is passed on as it comes, tagged with its lane.
  const relay = (lane: number) => (event: VerifyEvent) => {
    if (event.type === 'search') {
      done[lane] = event.run;
      options.onEvent?.({ ...event, run: done.reduce((a, b) => a + b, 0), runs: input.runs });
    } else if (event.type === 'found') options.onEvent?.({ ...event, lane });
    else options.onEvent?.(event);
  };
  const { history, ...laneOptions } = input;
  const file = history?.trim() || undefined;
  const log = file === undefined ? undefined : await HistoryLog.open(file, { client: input.client ?? 'custom', seed: input.seed, runs: input.runs });
  let result: VerifyResult | null = null;
  try {
    const results = await Promise.all(
      Array.from({ length: lanes }, (_, lane) =>
        runLane(
          {
            ...laneOptions,
            seed: laneSeed(input.seed, lane),
            runs: laneRuns(input.runs, lanes, lane),
            ...(log === undefined ? {} : { streamHistoryAs: { lane } }),
          },
          relay(lane),
          options.signal,
          log,
        ),
      ),
    );
    result = combineLanes(results, input.seed, input.runs, Math.round(performance.now() - started));
    return result;
  } finally {
    await log?.end(result);
  }
}
