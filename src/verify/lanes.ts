import { Worker } from 'node:worker_threads';
import { ConfigError, CrosstalkError } from '../errors.js';
import type { InvariantSummary } from './summary.js';
import { mergeSummaries } from './summary.js';
import type { VerifyOptions } from './run-verify.js';
import type { VerifyResult } from './verify.js';

type LaneMessage =
  | { type: 'progress'; runs: number }
  | { type: 'result'; result: VerifyResult }
  | { type: 'error'; name?: string; message: string; code?: string };

/** Lane k's seed: the base seed plus k, kept a 32-bit integer so it replays as `--seed`. */
export function laneSeed(seed: number, lane: number): number {
  return (seed + lane) | 0;
}

function runLane(input: Omit<VerifyOptions, 'factory' | 'server' | 'onRun'>, onRuns: (runs: number) => void): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    // Compiled next to this file; lanes need the built package (the CLI and the benches run from dist/).
    const worker = new Worker(new URL('./lane-worker.js', import.meta.url), { workerData: input });
    worker.on('message', (message: LaneMessage) => {
      if (message.type === 'progress') onRuns(message.runs);
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
  input: Omit<VerifyOptions, 'factory' | 'server' | 'onRun'> & { seed: number; runs: number },
  lanes: number,
  onRun?: (runsDone: number) => void,
): Promise<VerifyResult> {
  const started = performance.now();
  const done = new Array<number>(lanes).fill(0);
  const share = (lane: number) => Math.floor(input.runs / lanes) + (lane < input.runs % lanes ? 1 : 0);
  const results = await Promise.all(
    Array.from({ length: lanes }, (_, lane) =>
      runLane({ ...input, seed: laneSeed(input.seed, lane), runs: share(lane) }, (runs) => {
        done[lane] = runs;
        onRun?.(done.reduce((a, b) => a + b, 0));
      }),
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
    runs: results.reduce((sum, r) => sum + r.runs, 0),
    elapsedMs: Math.round(performance.now() - started),
    invariants,
    firstFailure: failing?.firstFailure ?? null,
    failure: failing?.failure ?? null,
  };
}
