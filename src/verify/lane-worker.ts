import { parentPort, workerData } from 'node:worker_threads';
import type { LaneInput, LaneMessage, MainMessage } from './lanes.js';
import { verify } from './run-verify.js';

/**
 * One verification lane in a worker thread: its own mock server, its own client, its own seed. It sends its events
 * as they happen, then the result (plain data) or the harness error that stopped it; a `stop` from the main thread
 * ends it early, as a signal would.
 */
const input = workerData as LaneInput;
const port = parentPort!;
const post = (message: LaneMessage): void => port.postMessage(message);
const stop = new AbortController();
port.on('message', (message: MainMessage) => {
  if (message.type === 'stop') stop.abort();
});
try {
  const result = await verify({ ...input, signal: stop.signal, onEvent: (event) => post({ type: 'event', event }) });
  post({ type: 'result', result });
} catch (error) {
  const err = error as { name?: string; message?: string; code?: string };
  post({ type: 'error', name: err.name, message: err.message ?? String(error), code: err.code });
} finally {
  port.close();
}
