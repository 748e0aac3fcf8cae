import { parentPort, workerData } from 'node:worker_threads';
import { historyLogRun } from './history-log.js';
import type { LaneInput } from './lanes.js';
import { verify } from './run-verify.js';

/**
 * One verification lane in a worker thread: its own mock server, its own client, its own seed. Messages: progress
 * after every run, each checked run's history line when the main thread keeps a history file, then the result
 * (plain data) or the harness error that stopped it.
 */
const { input, lane, streamHistory } = workerData as LaneInput;
const post = (message: unknown): void => parentPort!.postMessage(message);
try {
  const result = await verify({
    ...input,
    onRun: (runs) => post({ type: 'progress', runs }),
    ...(streamHistory
      ? { onHistory: (run) => post({ type: 'history', line: JSON.stringify(historyLogRun(run, lane, input.seed)) }) }
      : {}),
  });
  post({ type: 'result', result });
} catch (error) {
  const err = error as { name?: string; message?: string; code?: string };
  post({ type: 'error', name: err.name, message: err.message ?? String(error), code: err.code });
}
