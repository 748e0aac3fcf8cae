import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import type { PlanSource } from '../../src/server/response-plan.js';
import { fakeCouch } from './support/fake-couch.js';

/**
 * A client in another process reads a reply and writes its next request on the same socket at once. For a reply
 * released by a gate, node's 'finish' event (it waits for the socket's write callback) came after that next request
 * had arrived, in 12 to 25 of these 236 pairs, and a last byte recorded at 'finish' made correct out-of-process
 * clients (python requests, httpx, aiohttp through --exec) look pipelined to pool-bound. The last byte is recorded
 * when the reply is ended: never after the next request on its socket arrived.
 */
const run = promisify(execFile);

const SOCKETS = 4;
const REQUESTS_EACH = 60;

// Sequential keep-alive requests, one socket per loop, as fast as the child can go.
const child = `
const https = require('node:https');
const [origin, ca] = [process.argv[1], process.argv[2]];
const agent = new https.Agent({ keepAlive: true, maxSockets: ${SOCKETS}, ca });
const get = (id) => new Promise((resolve, reject) => {
  https.get(origin + '/acme-db/_all_docs', { agent, headers: { 'x-couch-request-id': id } }, (res) => {
    res.resume();
    res.on('end', resolve);
  }).on('error', reject);
});
(async () => {
  await Promise.all(Array.from({ length: ${SOCKETS} }, async (_, loop) => {
    for (let i = 0; i < ${REQUESTS_EACH}; i += 1) await get('l' + loop + '-' + i);
  }));
  agent.destroy();
})();
`;

// Every reply held, then released with whatever else is held, one turn later: as crosstalk's release gate does.
let held: Array<() => void> = [];
const release = () => {
  const batch = held;
  held = [];
  for (const go of batch) go();
};
const gated: PlanSource = {
  planFor: () => ({ gate: () => new Promise<void>((resolve) => held.push(resolve) === 1 && setImmediate(release)) }),
};

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ couch: fakeCouch(), plans: gated });
});
afterAll(() => server.close());

describe('the last byte of a reply', () => {
  it(`is recorded before the next request on its socket arrives (${SOCKETS} sockets × ${REQUESTS_EACH} from another process)`, async () => {
    const mark = server.recorder.mark();
    await run(process.execPath, ['-e', child, server.origin, server.ca], { timeout: 60_000 });
    expect(await server.whenSocketsClosed(2_000)).toBe(true);
    const { requests } = server.recorder.since(mark);
    expect(requests).toHaveLength(SOCKETS * REQUESTS_EACH);
    const late: string[] = [];
    const bySocket = new Map<number, typeof requests>();
    for (const request of requests) bySocket.set(request.socketId, [...(bySocket.get(request.socketId) ?? []), request]);
    for (const list of bySocket.values()) {
      for (let index = 1; index < list.length; index += 1) {
        const [before, next] = [list[index - 1]!, list[index]!];
        if (before.lastByteAt! > next.arrivedAt) late.push(`${before.requestId} → ${next.requestId}`);
      }
    }
    expect(late).toEqual([]);
  }, 60_000);
});
