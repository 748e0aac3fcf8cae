import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliPath, root } from './spawn-cli.js';

/**
 * A CI gate must end: every command exits within 2 s of its last line, on every path, whatever the client under
 * test left behind. Each test spawns the built CLI and waits for the process itself to end (not for its output).
 */
interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** ms from the first time `mark` appeared on stdout to the process's exit (null if it never appeared). */
  afterMark: number | null;
}

/** Spawns the CLI; `onOut` may act on the output so far (send a signal). Killed, and reported, past `limitMs`. */
function spawnCli(
  args: string[],
  mark: RegExp,
  limitMs: number,
  onOut?: (out: string, child: ReturnType<typeof spawn>) => void,
): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let markedAt: number | null = null;
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (markedAt === null && mark.test(out)) markedAt = performance.now();
      onOut?.(out, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const afterMark = markedAt === null ? null : performance.now() - markedAt;
      resolve({ code, signal, out, err, afterMark });
    });
  });
}

const VERDICT = /^(SAFE to share|NOT SAFE to share|INCONCLUSIVE)/m;
/** 22 is the seed that used to keep node-https's process alive after its report. */
const SEEDS = [22, 1, 2, 3, 4, 5, 6, 7, 8, 9];

describe('every CLI command ends', () => {
  for (const client of ['node-https', 'test/cli/fixtures/mini-pool.mjs']) {
    it(`verify --faults with ${client}: 10 seeds, each process ends within 2 s of its verdict`, async () => {
      for (const seed of SEEDS) {
        const args = ['verify', '--client', client, '--faults', '--seed', String(seed), '--runs', '15', '--check-replay', '1'];
        const ended = await spawnCli(args, VERDICT, 60_000);
        expect(ended.signal, `seed ${seed}: killed, still running 60 s after start\n${ended.out}`).toBeNull();
        expect([0, 1], `seed ${seed}\n${ended.out}${ended.err}`).toContain(ended.code);
        expect(ended.afterMark, `seed ${seed}: no verdict printed\n${ended.out}`).not.toBeNull();
        expect(ended.afterMark!, `seed ${seed}: exited ${ended.afterMark} ms after its verdict`).toBeLessThan(2_000);
      }
    }, 240_000);
  }

  it('verify ends after its report even when the client leaves a timer, a socket and a server behind', async () => {
    const args = ['verify', '--client', 'test/cli/fixtures/leaves-handles-behind.mjs', '--runs', '3', '--seed', '5'];
    const ended = await spawnCli(args, VERDICT, 30_000);
    expect(ended.code, ended.out + ended.err).toBe(0);
    expect(ended.afterMark!).toBeLessThan(2_000);
  }, 40_000);

  it('a client factory that throws is bad configuration: exit 2 with a plain message, at once', async () => {
    const ended = await spawnCli(['verify', '--client', 'test/cli/fixtures/factory-throws.mjs', '--runs', '3'], /$^/, 30_000);
    expect(ended.code).toBe(2);
    expect(ended.err).toContain('the factory of client test/cli/fixtures/factory-throws.mjs threw: CLOUDANT_URL is not set');
  }, 40_000);

  it('SIGINT while shrinking reports the smallest case so far and exits 1', async () => {
    let sent = false;
    const args = ['verify', '--client', 'test/cli/fixtures/closes-after-each-response.mjs', '--seed', '3', '--check-replay', '0'];
    const ended = await spawnCli(args, /^seed 3 · /m, 60_000, (out, child) => {
      if (!sent && out.includes('Shrinking it')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(ended.code, ended.out + ended.err).toBe(1);
    expect(ended.out).toContain('NOT SAFE to share');
    expect(ended.out).toMatch(/Counterexample, the smallest case reached: .*(stopped because interrupted|no smaller case fails)/);
    expect(ended.out).toMatch(/Replay: npx crosstalk verify .*--path [\d:]+/);
    expect(ended.afterMark!).toBeLessThan(2_000);
  }, 70_000);

  it('SIGTERM while searching reports an inconclusive verdict and exits 1', async () => {
    let sent = false;
    const args = ['verify', '--runs', '100000', '--seed', '4'];
    const ended = await spawnCli(args, VERDICT, 60_000, (out, child) => {
      if (!sent && out.startsWith('crosstalk verify:')) {
        sent = true;
        setTimeout(() => child.kill('SIGTERM'), 1_500);
      }
    });
    expect(ended.code, ended.out + ended.err).toBe(1);
    expect(ended.out).toMatch(/^INCONCLUSIVE: interrupted after \d+ runs/m);
    expect(ended.afterMark!).toBeLessThan(2_000);
  }, 70_000);

  it('serve ends within 2 s of SIGTERM, with exit code 0', async () => {
    let sentAt = 0;
    const ended = await spawnCli(['serve'], /"origin":"https:\/\/127\.0\.0\.1:\d+"/, 30_000, (out, child) => {
      if (sentAt === 0 && out.includes('"origin"')) {
        sentAt = performance.now();
        child.kill('SIGTERM');
      }
    });
    expect(sentAt).toBeGreaterThan(0);
    expect(ended.code, ended.err).toBe(0);
    expect(performance.now() - sentAt).toBeLessThan(2_000);
  }, 40_000);
});
