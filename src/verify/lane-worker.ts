import { parentPort, workerData } from 'node:worker_threads';
import type { VerifyOptions } from './run-verify.js';
import { verify } from './run-verify.js';

/**
 * One verification lane in a worker thread: its own mock server, its own client, its own seed. Messages: progress
 * after every run, then the result (plain data) or the harness error that stopped it.
 */
const input = workerData as Omit<VerifyOptions, 'factory' | 'server' | 'onRun'>;
try {
  const result = await verify({ ...input, onRun: (runs) => parentPort!.postMessage({ type: 'progress', runs }) });
  parentPort!.postMessage({ type: 'result', result });
} catch (error) {
  const err = error as { name?: string; message?: string; code?: string };
  parentPort!.postMessage({ type: 'error', name: err.name, message: err.message ?? String(error), code: err.code });
}
