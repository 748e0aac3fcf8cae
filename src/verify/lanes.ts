import { Worker } from 'node:worker_threads';
import { ConfigError, CrosstalkError } from '../errors.js';
import type { InvariantSummary } from './summary.js';
import { mergeSummaries } from './summary.js';
import type { VerifyEvent } from './events.js';
import type { VerifyOptions } from './run-verify.js';
import type { VerifyResult } from './verify.js';

/** What a lane is given: the options a user gives, without what cannot cross a thread (factory, server, callbacks). */
export type LaneInput = Omit<VerifyOptions, 'factory' | 'server' | 'onEvent' | 'signal'>;

/** Lane → main thread. */
export type LaneMessage =
  | { type: 'event'; event: VerifyEvent }
  | { type: 'result'; result: VerifyResult }
  | { type: 'error'; name?: string; message: string; code?: string };

/** Main thread → lane. */
export type MainMessage = { type: 'stop' };

/** Lane k's seed: the base seed plus k, kept a 32-bit integer so it replays as `--seed`. */
export function laneSeed(seed: number, lane: number): number {
  return (seed + lane) | 0;
}

function runLane(input: LaneInput, onEvent: (event: VerifyEvent) => void, signal?: AbortSignal): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    // Compiled next to this file; lanes need the built package (the CLI and the benches run from dist/).
    const worker = new Worker(new URL('./lane-worker.js', import.meta.url), { workerData: input });
    const stop = (): void => worker.postMessage({ type: 'stop' } satisfies MainMessage);
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', stop));
    worker.on('message', (message: LaneMessage) => {
      if (message.type === 'event') onEvent(message.event);
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
 * Runs `runs` across `lanes` worker threads, each an independent property with its own server, client and seed, so
 * a 2-core machine verifies twice as many runs. The verdict is the first violating lane's (by lane number), with
 * that lane's seed and path, which replay it exactly as a single lane would.
 */
export async function verifyInLanes(
  input: LaneInput & { seed: number; runs: number },
  lanes: number,
  options: { onEvent?: (event: VerifyEvent) => void; signal?: AbortSignal } = {},
): Promise<VerifyResult> {
  const started = performance.now();
  const done = new Array<number>(lanes).fill(0);
  const share = (lane: number) => Math.floor(input.runs / lanes) + (lane < input.runs % lanes ? 1 : 0);
  // Search progress adds up across lanes; everything else is passed on as it comes, tagged with its lane.
  const relay = (lane: number) => (event: VerifyEvent) => {
    if (event.type === 'search') {
      done[lane] = event.run;
      options.onEvent?.({ ...event, run: done.reduce((a, b) => a + b, 0), runs: input.runs });
    } else if (event.type === 'found') options.onEvent?.({ ...event, lane });
    else options.onEvent?.(event);
  };
  const results = await Promise.all(
    Array.from({ length: lanes }, (_, lane) =>
      runLane({ ...input, seed: laneSeed(input.seed, lane), runs: share(lane) }, relay(lane), options.signal),
    ),
  );
  const failing = results.find((r) => r.verdict === 'violated');
  const verdict = failing !== undefined ? 'violated' : results.some((r) => r.verdict === 'inconclusive') ? 'inconclusive' : 'safe';
  const invariants: InvariantSummary[] = mergeSummaries(results.map((r) => r.invariants));
  const first = results[0]!;
  return {
    ...first,
    seed: failing?.seed ?? input.seed,
    settings: { ...first.settings, runs: input.runs },
    verdict,
    interrupted: results.some((r) => r.interrupted),
    runs: results.reduce((sum, r) => sum + r.runs, 0),
    shrinkRuns: results.reduce((sum, r) => sum + r.shrinkRuns, 0),
    replayRuns: results.reduce((sum, r) => sum + r.replayRuns, 0),
    elapsedMs: Math.round(performance.now() - started),
    invariants,
    firstFailure: failing?.firstFailure ?? null,
    failure: failing?.failure ?? null,
  };
}
