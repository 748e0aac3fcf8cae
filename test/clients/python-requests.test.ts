import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';

/**
 * The question crosstalk started from, answered for the client it was asked about: one python-cloudant Account is
 * a requests.Session with HTTPAdapter(pool_connections=10, pool_maxsize=100), shared by gunicorn threads. Here one
 * Session is shared by 8 threads, and what each thread got is joined with what the server recorded.
 */
const run = promisify(execFile);
const script = fileURLToPath(new URL('./support/shared_session.py', import.meta.url));
const THREADS = 8;
const CALLS = 6;

async function pythonWithRequests(): Promise<string | null> {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      await run(python, ['-c', 'import requests'], { timeout: 10_000 });
      return python;
    } catch {
      // try the next one
    }
  }
  return null;
}

let server: MockServer;
let python: string | null;
beforeAll(async () => {
  server = await startMockServer();
  python = await pythonWithRequests();
});
afterAll(async () => {
  await server?.close();
});

describe('python requests.Session shared by threads (the seed question)', () => {
  it('every thread gets its own reply, over a handful of sockets', async () => {
    // .ci/run installs python3-requests where the image lacks it; a machine without it cannot answer this question.
    expect(python, 'python3 with requests is required (apt-get install python3-requests)').not.toBeNull();
    const account = server.couch.accounts().find((a) => a.name === 'education')!;
    const user = account.users[0]!;
    const mark = server.recorder.mark();
    const args = [script, server.origin, await server.caFile(), user.name, user.password, account.databases[0]!];
    // A non-zero exit still carries the per-call lines (errors included): keep them, they explain the failure.
    const { stdout, stderr } = await run(python!, [...args, String(THREADS), String(CALLS)], { timeout: 60_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );
    const seen = stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { requestId: string; echoed?: string; status?: number; digest?: string; error?: string });
    expect(seen.filter((call) => call.error !== undefined), stderr).toEqual([]);
    await server.whenSocketsClosed(5_000);
    const history = server.recorder.since(mark);

    expect(seen).toHaveLength(THREADS * CALLS);
    const served = new Map(history.requests.map((r) => [r.requestId, r]));
    for (const call of seen) {
      expect(call.status).toBe(200);
      expect(call.echoed, 'the reply carries the request id the thread sent').toBe(call.requestId);
      const record = served.get(call.requestId);
      expect(record, `the server saw ${call.requestId}`).toBeDefined();
      expect(call.digest, `the body ${call.requestId} got is the one the server sent for it`).toBe(record!.bodyDigest);
      expect(record!.identity).toBe(user.name);
    }
    expect(history.requests).toHaveLength(THREADS * CALLS);
    // urllib3 opens a connection per concurrently active thread at most, and reuses them: far fewer than 48.
    const handshakes = history.sockets.filter((s) => s.handshakeAt !== null).length;
    expect(handshakes).toBeGreaterThanOrEqual(1);
    expect(handshakes).toBeLessThanOrEqual(THREADS);
    console.log(
      `python requests, ${THREADS} threads × ${CALLS} calls on one Session: ${handshakes} TLS handshakes, ` +
        `${history.requests.length} requests, 0 cross-talk`,
    );
  }, 90_000);
});
