import { parentPort, workerData } from 'node:worker_threads';
import { historyLogRun } from './history-log.js';
import type { LaneInput, LaneMessage, MainMessage } from './lanes.js';
import { verify } from './run-verify.js';

/**
 * One verification lane in a worker thread: its own mock server, its own client, its own seed. It sends its events
 * as they happen (and its checked runs, when the main thread keeps a history file), then the result (plain data) or
 * the harness error that stopped it; a `stop` from the main thread ends it early, as a signal would.
 */
const { streamHistoryAs, ...input } = workerData as LaneInput;
const port = parentPort!;
const post = (message: LaneMessage): void => port.postMessage(message);
const stop = new AbortController();
port.on('message', (message: MainMessage) => {
  if (message.type === 'stop') stop.abort();
});
try {
  const result = await verify({
    ...input,
    signal: stop.signal,
    onEvent: (event) => post({ type: 'event', event }),
    // With a history file in the main thread, this lane's checked runs go there, one serialized line each.
    ...(streamHistoryAs === undefined
      ? {}
      : { onHistory: (run) => post({ type: 'history', line: JSON.stringify(historyLogRun(run, streamHistoryAs.lane, Number(input.seed))) }) }),
  });
  post({ type: 'result', result });
} catch (error) {
  const err = error as { name?: string; message?: string; code?: string };
  post({ type: 'error', name: err.name, message: err.message ?? String(error), code: err.code });
} finally {
  port.close();
}
