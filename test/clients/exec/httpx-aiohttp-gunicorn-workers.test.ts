import { describe, expect, it } from 'vitest';
import { cliBuilt } from './support/crosstalk-cli.js';
import { invariant, missing, probePython, verifyWorker } from './support/python-workers.js';

/**
 * httpx, aiohttp and the seed's app under gunicorn exist for Debian's /usr/bin/python3 only (`.ci/run` installs
 * them); `python3` on the PATH lacks them, and says so. Fixed seeds, small runs; a missing library fails the test.
 */
const DEBIAN = probePython('/usr/bin/python3', 'Debian');
const PATH_PYTHON = probePython('python3', 'PATH');
const VERSIONS = `httpx ${DEBIAN.libraries.httpx ?? 'missing'}, aiohttp ${DEBIAN.libraries.aiohttp ?? 'missing'}, gunicorn ${DEBIAN.libraries.gunicorn ?? 'missing'}`;
const RUNS = ['--callers', '6', '--ops', '3', '--runs', '6'];
/** The fault vocabulary before issue #11; the stray response that came with it is tested on its own, below. */
const FIRST_FAULTS =
  'header-delay,body-delay,slow-drip,late-reply,interim-103,connection-close,idle-close,fin-after,reset-mid-body,' +
  'reset-before-answer,retry-after,large-error-in-pieces,trailers';

describe(`${DEBIAN.title}, ${VERSIONS}`, () => {
  it('needs the build', () => {
    expect(cliBuilt(), 'run npm run build (npm test does)').toBe(true);
  });

  it.each([
    ['httpx_worker.py', 'httpx', 'one shared httpx.Client over a thread pool'],
    ['aiohttp_worker.py', 'aiohttp', 'one shared ClientSession over asyncio tasks'],
  ])('%s (%s: %s) is safe to share, plain and under the timing, close, reset and interim faults, seed 91', async (file, library) => {
    expect(missing(DEBIAN, library)).toBeNull();
    const command = `/usr/bin/python3 examples/python/${file}`;
    const plain = await verifyWorker(command, [...RUNS, '--seed', '91']);
    expect(plain.code, plain.out + plain.err).toBe(0);
    expect(plain.result?.client).toContain(`${library} ${DEBIAN.libraries[library]}`);
    expect(invariant(plain.result, 'pool-bound').figures.maxOpenSockets).toBeLessThanOrEqual(4);
    const faulted = await verifyWorker(command, [...RUNS, '--faults', FIRST_FAULTS, '--seed', '91', '--shrink-budget-ms', '2000', '--check-replay', '0']);
    expect(faulted.code, faulted.out + faulted.err).toBe(0);
  }, 120_000);

  it.each([
    ['httpx_worker.py', 'httpx'],
    ['aiohttp_worker.py', 'aiohttp'],
  ])('%s (%s) hands a stray response on a kept-alive connection to the next caller: no-cross-talk, seed 91', async (file, library) => {
    expect(missing(DEBIAN, library)).toBeNull();
    const run = await verifyWorker(`/usr/bin/python3 examples/python/${file}`, [
      '--callers', '6', '--ops', '3', '--runs', '20', '--faults', 'stray-response', '--seed', '91', '--shrink-budget-ms', '2000', '--check-replay', '0',
    ]);
    expect(run.code, run.out + run.err).toBe(1);
    expect(invariant(run.result, 'no-cross-talk').status).toBe('violated');
    // Either stray: an unsolicited response on the idle connection, or a copy of the complete one.
    expect(run.out).toMatch(/received the stray response \(r\d+-c\d+-o\d+-stray\) the server wrote|the stray copy the server wrote after that reply/);
  }, 120_000);

  it('the seed app end to end: HTTP callers → gunicorn --threads 8 → one module-level Session → the mock; checked at both ends, seed 92', async () => {
    expect(missing(DEBIAN, 'requests', 'gunicorn')).toBeNull();
    const run = await verifyWorker('/usr/bin/python3 examples/python/gunicorn_worker.py', [
      '--callers', '10', '--ops', '3', '--runs', '5', '--seed', '92',
    ]);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.result?.client).toContain(`seed_app under gunicorn ${DEBIAN.libraries.gunicorn} --threads 8`);
    // Each HTTP caller got the rows the mock sent for its own request (digest and id), under its own credentials...
    expect(invariant(run.result, 'no-cross-talk').figures.repliesChecked).toBeGreaterThan(0);
    expect(invariant(run.result, 'tenant-isolation').status).not.toBe('violated');
    // ...and at the mock, the app's Session held at most gunicorn's 8 threads' worth of sockets, reusing them.
    expect(invariant(run.result, 'pool-bound').figures.maxOpenSockets).toBeLessThanOrEqual(8);
    expect(invariant(run.result, 'reuse').figures.handshakes).toBeLessThan(invariant(run.result, 'exactly-once').figures.calls!);
  }, 120_000);
});

describe(`${PATH_PYTHON.title}: without httpx`, () => {
  it('the worker says which Python lacks the library and how to get it: exit 2, not a verdict', async () => {
    const run = await verifyWorker('python3 examples/python/httpx_worker.py', ['--runs', '2']);
    expect(run.code, run.out + run.err).toBe(2);
    expect(run.err).toMatch(/the --exec worker `python3 examples\/python\/httpx_worker.py` reported that it cannot go on: httpx cannot be imported by .*python3.* apt-get install python3-httpx/);
  }, 60_000);
});
