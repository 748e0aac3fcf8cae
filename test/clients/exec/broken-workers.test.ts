import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, cliBuilt, crosstalk } from './support/crosstalk-cli.js';

/**
 * A worker that breaks the protocol gets a diagnosis, not a crash or a hang: the CLI is spawned, and the test waits
 * for the process to END. Each diagnosis names the worker command and quotes what it did wrong; exit code 2; the
 * worker does not outlive crosstalk.
 */
const WORKER = 'node test/clients/exec/fixtures/node-worker.mjs';
const SMALL = ['--runs', '3', '--callers', '3', '--ops', '2', '--seed', '5'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-broken-workers-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function verifyWith(misbehave: string, extra: string[] = []) {
  const pidFile = join(dir, `${misbehave}.pid`);
  const command = `${WORKER} --misbehave ${misbehave} --pid-file ${pidFile}`;
  const result = await crosstalk(['verify', '--exec', command, ...SMALL, ...extra]);
  const pid = Number(await readFile(pidFile, 'utf8'));
  return { ...result, command, workerAlive: alive(pid) };
}

describe('crosstalk verify --exec with a broken worker', () => {
  it('needs the build', () => {
    expect(cliBuilt(), 'run npm run build (npm test does)').toBe(true);
  });

  it('a correct worker that is noisy on stderr is verified as usual: stderr is not protocol (exit 0)', async () => {
    const run = await verifyWith('noisy');
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/SAFE to share: node test\/clients\/exec\/fixtures\/node-worker\.mjs .* \(node v\d+\.\d+\.\d+ https\.Agent\)/);
    expect(run.workerAlive).toBe(false);
  }, 60_000);

  it('a garbage line: exit 2, the worker named and the line quoted', async () => {
    const run = await verifyWith('garbage');
    expect(run.code, run.out + run.err).toBe(2);
    expect(run.err).toContain(`the --exec worker \`${run.command}\` wrote a line that is not a protocol message (it is not JSON)`);
    expect(run.err).toContain('"Traceback (most recent call last): this is not a protocol line"');
    expect(run.workerAlive).toBe(false);
  }, 60_000);

  it('a crash mid-run: exit 2, with what it left unanswered and the last lines of its stderr', async () => {
    const run = await verifyWith('crash');
    expect(run.code, run.out + run.err).toBe(2);
    expect(run.err).toMatch(/exited with code 3 during session s\d+(, with \d+ operations unanswered \(r\d+-c\d-o\d)?/);
    expect(run.err).toContain('Last lines on its stderr:');
    expect(run.err).toContain('  | RuntimeError: boom');
    expect(run.workerAlive).toBe(false);
  }, 60_000);

  it('a worker that never answers: the wait is bounded, exit 2, and the unanswered operations are listed', async () => {
    const run = await verifyWith('silent', ['--deadline-ms', '300']);
    expect(run.code, run.out + run.err).toBe(2);
    expect(run.err).toMatch(/did not answer close \(session s1\) within 5000 ms; \d+ of its operations were never answered either \(r1-c\d-o\d/);
    // The run's deadline (300 ms), then the close bound (5 s): well under the test's own deadline.
    expect(run.ms).toBeLessThan(30_000);
    expect(run.workerAlive).toBe(false);
  }, 60_000);

  it('an answer given twice: exit 2, the line quoted', async () => {
    const run = await verifyWith('twice');
    expect(run.code, run.out + run.err).toBe(2);
    expect(run.err).toMatch(/answered request id "r1-c\d-o\d" twice: "\{\\"type\\":\\"result\\"/);
    expect(run.workerAlive).toBe(false);
  }, 60_000);

  it('an answer for a request id crosstalk never sent: exit 2', async () => {
    const run = await verifyWith('wrong-id');
    expect(run.code, run.out + run.err).toBe(2);
    expect(run.err).toContain('answered request id "r999-c9-o9", which crosstalk never sent in session s1');
    expect(run.workerAlive).toBe(false);
  }, 60_000);

  it('a command that cannot be started: exit 2, plainly', async () => {
    const run = await crosstalk(['verify', '--exec', 'no-such-worker-command --mode x', ...SMALL]);
    expect(run.code, run.out + run.err).toBe(2);
    expect(run.err).toContain('the --exec worker `no-such-worker-command --mode x` could not be started: spawn no-such-worker-command ENOENT');
  }, 60_000);

  it.each([
    [['--exec', "python3 'worker.py"], '--exec must be a command line such as "python3 worker.py --mode shared": a single quote is never closed'],
    [['--exec', '   '], 'it names no command'],
    [['--exec', 'python3 w.py', '--client', 'node-https'], '--exec and --client each name the client under test: give one.'],
  ])('bad usage of --exec exits 2 with a plain message: %j', async (args, message) => {
    const run = await crosstalk(['verify', ...args, '--runs', '1']);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  }, 30_000);
});
