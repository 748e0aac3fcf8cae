import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../../src/clients/exec/command-line.js';
import { cliBuilt, crosstalk } from './support/crosstalk-cli.js';
import { invariant, missing, probePython, verifyWorker } from './support/python-workers.js';

/**
 * examples/python/requests_worker.py through `crosstalk verify --exec`, on each Python of the machine, fixed seeds,
 * small runs. A missing interpreter or library fails the test with what to install; it is never skipped.
 */
const PYTHONS = [probePython('python3', 'PATH'), probePython('/usr/bin/python3', 'Debian')];
const worker = (python: string, mode: string, extra = '') =>
  `${python} examples/python/requests_worker.py --mode ${mode}${extra}`;
const SMALL_POOL = ['--connections', '2', '--callers', '6', '--ops', '3'];

describe('requests_worker.py', () => {
  it('needs the build', () => {
    expect(cliBuilt(), 'run npm run build (npm test does)').toBe(true);
  });

  describe.each(PYTHONS)('$title', (python) => {
    it('--mode shared (the seed: HTTPAdapter(pool_connections=10, pool_maxsize=100)) is safe to share, seed 81', async () => {
      expect(missing(python, 'requests')).toBeNull();
      const run = await verifyWorker(worker(python.command, 'shared'), ['--runs', '5', '--callers', '6', '--ops', '3', '--seed', '81']);
      expect(run.code, run.out + run.err).toBe(0);
      expect(run.result?.client).toContain(`requests ${python.libraries.requests}, urllib3 ${python.libraries.urllib3}`);
      expect(invariant(run.result, 'no-cross-talk').exercisedRuns).toBeGreaterThan(0);
    }, 120_000);

    it('--mode per-call never reuses: one handshake per call, declared, seed 82', async () => {
      expect(missing(python, 'requests')).toBeNull();
      const run = await verifyWorker(worker(python.command, 'per-call'), ['--runs', '3', '--callers', '4', '--ops', '3', '--seed', '82']);
      expect(run.code, run.out + run.err).toBe(0);
      const reuse = invariant(run.result, 'reuse');
      expect(reuse.figures.handshakes).toBe(invariant(run.result, 'exactly-once').figures.calls);
      expect(reuse.notes.join('\n')).toContain('not reusing by design');
    }, 120_000);

    it('--mode small-pool-blocking keeps pool_maxsize as its bound, with more threads than that, seed 83', async () => {
      expect(missing(python, 'requests')).toBeNull();
      const run = await verifyWorker(worker(python.command, 'small-pool-blocking'), [...SMALL_POOL, '--runs', '4', '--seed', '83']);
      expect(run.code, run.out + run.err).toBe(0);
      expect(invariant(run.result, 'pool-bound').status).toBe('holds');
      expect(invariant(run.result, 'pool-bound').figures.maxOpenSockets).toBeLessThanOrEqual(2);
    }, 120_000);

    it('--mode small-pool-nonblocking opens connections beyond pool_maxsize, within its threads, seed 84', async () => {
      expect(missing(python, 'requests')).toBeNull();
      // The discards it makes can cost more handshakes than reuse allows: the verdict is not asserted, and a
      // counterexample's shrinking is kept short.
      const run = await verifyWorker(worker(python.command, 'small-pool-nonblocking'), [
        ...SMALL_POOL, '--runs', '4', '--seed', '84', '--shrink-budget-ms', '1000', '--check-replay', '0',
      ]);
      expect(run.result, run.out + run.err).not.toBeNull();
      const poolBound = invariant(run.result, 'pool-bound');
      // pool_block=False: pool_maxsize (2) is how many idle connections are kept, not a bound; the declared bound
      // is the thread count (6, never exceeded by demand, so not exercised), and nothing breaks it.
      expect(poolBound.status).not.toBe('violated');
      expect(poolBound.figures.maxOpenSockets).toBeGreaterThan(2);
    }, 120_000);

    it('interim 103 Early Hints (http.client takes it for the final response): no-cross-talk violated, seed 85', async () => {
      expect(missing(python, 'requests')).toBeNull();
      const run = await verifyWorker(worker(python.command, 'shared'), [
        '--faults', 'interim-103', '--callers', '4', '--ops', '3', '--runs', '10', '--seed', '85', '--shrink-budget-ms', '1000', '--check-replay', '0',
      ]);
      expect(run.code, run.out + run.err).toBe(1);
      expect(invariant(run.result, 'no-cross-talk').status).toBe('violated');
      expect(run.out).toMatch(/\[no-cross-talk\] .*received 0 bytes that match no body the server sent/);
    }, 120_000);
  });

  it(`--trust-maxsize declares pool_maxsize a bound that pool_block=False does not keep: pool-bound violated; ${PYTHONS[0]!.title}, seed 86`, async () => {
    expect(missing(PYTHONS[0]!, 'requests')).toBeNull();
    const run = await verifyWorker(worker('python3', 'small-pool-nonblocking', ' --trust-maxsize'), [
      ...SMALL_POOL, '--runs', '10', '--seed', '86', '--shrink-budget-ms', '1000', '--check-replay', '0',
    ]);
    expect(run.code, run.out + run.err).toBe(1);
    expect(invariant(run.result, 'pool-bound').status).toBe('violated');
    expect(run.out).toMatch(/\[pool-bound\] \d+ sockets were (carrying requests|open) at the same moment|\[pool-bound\] \d+ sockets were open at once/);
  }, 120_000);

  it(`the replay command carries --exec, quoted for the shell, and reproduces the 103 cross-talk; ${PYTHONS[0]!.title}, seed 85`, async () => {
    expect(missing(PYTHONS[0]!, 'requests')).toBeNull();
    const first = await verifyWorker(worker('python3', 'shared'), [
      '--faults', 'interim-103', '--callers', '4', '--ops', '3', '--runs', '10', '--seed', '85', '--shrink-budget-ms', '1000', '--check-replay', '0',
    ]);
    expect(first.code, first.out + first.err).toBe(1);
    const replay = /Replay: npx crosstalk (verify .*)/.exec(first.out)?.[1];
    expect(replay, first.out).toContain("--exec 'python3 examples/python/requests_worker.py --mode shared'");
    const words = splitCommandLine(replay!);
    expect(words.ok).toBe(true);
    const again = await crosstalk(words.ok ? words.argv : []);
    expect(again.code, again.out + again.err).toBe(1);
    expect(again.out).toContain('[no-cross-talk]');
  }, 120_000);

  it(`urllib3 2.x: Session.close() after a connection error leaves idle sockets to the garbage collector: clean-close violated; ${PYTHONS[0]!.title}, seed 87`, async () => {
    expect(missing(PYTHONS[0]!, 'requests')).toBeNull();
    const run = await verifyWorker(worker('python3', 'shared'), [
      '--faults', 'reset-before-answer', '--callers', '6', '--ops', '3', '--runs', '10', '--seed', '87', '--shrink-budget-ms', '1000', '--check-replay', '0',
    ]);
    expect(PYTHONS[0]!.libraries.urllib3, 'this finding is urllib3 2.x').toMatch(/^2\./);
    expect(run.code, run.out + run.err).toBe(1);
    expect(run.out).toMatch(/\[clean-close\] socket \d+ \(\d+ requests\) was still open \d+ ms after close\(\) (was called|returned)/);
  }, 120_000);

  it(`urllib3 1.26 closes them at once under the same faults: safe; ${PYTHONS[1]!.title}, seed 87`, async () => {
    expect(missing(PYTHONS[1]!, 'requests')).toBeNull();
    const run = await verifyWorker(worker('/usr/bin/python3', 'shared'), [
      '--faults', 'reset-before-answer', '--callers', '6', '--ops', '3', '--runs', '10', '--seed', '87',
    ]);
    expect(PYTHONS[1]!.libraries.urllib3).toMatch(/^1\./);
    expect(run.code, run.out + run.err).toBe(0);
  }, 120_000);

  it(`urllib3 1.26 does not enforce Content-Length: a reply reset partway through its body comes back as a complete response, a torn body; ${PYTHONS[1]!.title}, seed 90`, async () => {
    expect(missing(PYTHONS[1]!, 'requests')).toBeNull();
    const run = await verifyWorker(worker('/usr/bin/python3', 'shared'), [
      '--faults', 'reset-mid-body', '--callers', '6', '--ops', '3', '--runs', '20', '--seed', '90', '--shrink-budget-ms', '1000', '--check-replay', '0',
    ]);
    expect(PYTHONS[1]!.libraries.urllib3).toMatch(/^1\./);
    expect(run.code, run.out + run.err).toBe(1);
    expect(run.out).toMatch(/\[no-cross-talk\] .*received \d+ bytes that match no body the server sent in this run \(its own response was \d+ bytes on socket \d+, outcome reset\)/);
  }, 120_000);

  it(`--lanes 2: one worker process per lane, seeds S and S+1; ${PYTHONS[0]!.title}, seed 88`, async () => {
    expect(missing(PYTHONS[0]!, 'requests')).toBeNull();
    const run = await verifyWorker(worker('python3', 'shared'), ['--lanes', '2', '--runs', '4', '--callers', '4', '--ops', '3', '--seed', '88']);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain('2 lanes, seeds 88..89');
    expect(run.result?.runs).toBe(4);
  }, 120_000);
});
