import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';

/** Runs the CLI in-process, capturing what it prints and the exit code it would leave. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    const code = await main(args, { writeErr: (text) => (err += text) });
    const outcome = code !== 0 ? code : Number(process.exitCode ?? 0);
    return { code: outcome, out, err };
  } finally {
    write.mockRestore();
    process.exitCode = undefined;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-verify-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('crosstalk verify', () => {
  it('exits 0 for the default shared undici Pool, printing the seed first and the verdict table', async () => {
    const json = join(dir, 'safe.json');
    const { code, out } = await cli('verify', '--runs', '8', '--callers', '4', '--ops', '3', '--seed', '7', '--json', json);
    expect(code, out).toBe(0);
    expect(out.split('\n')[0]).toContain('seed 7');
    expect(out).toContain('SAFE to share: undici-pool');
    expect(out).toMatch(/no-cross-talk\s+holds/);
    const result = JSON.parse(await readFile(json, 'utf8')) as { verdict: string; seed: number; runs: number };
    expect(result).toMatchObject({ verdict: 'safe', seed: 7, runs: 8 });
  }, 60_000);

  it('exits 1 for a buggy client, and the printed replay command reproduces the violation', async () => {
    const client = 'test/cli/fixtures/closes-after-each-response.ts';
    const first = await cli('verify', '--client', client, '--runs', '20', '--callers', '3', '--ops', '3', '--seed', '3');
    expect(first.code, first.out).toBe(1);
    expect(first.out).toContain('NOT SAFE to share');
    expect(first.out).toMatch(/\[reuse\] .*socket \d+/);
    const replay = /Replay: npx crosstalk (verify .*)/.exec(first.out)?.[1];
    expect(replay, first.out).toBeDefined();
    expect(first.out).toMatch(/fast-check: \{ seed: 3, path: "[\d:]+", endOnFailure: true \}/);

    const again = await cli(...replay!.split(' '));
    expect(again.code, again.out).toBe(1);
    expect(again.out).toContain('[reuse]');
  }, 60_000);

  it.each([
    [['--runs', 'abc'], '--runs must be a whole number'],
    [['--connections', '0'], '--connections must be a whole number from 1'],
    [['--client', 'no-such-client'], 'Unknown client "no-such-client"'],
    [['--client', './missing-client.mjs'], 'not found'],
    [['--path', '1:2'], '--path replays a counterexample and needs --seed'],
    [['--faults', 'bogus'], 'Unknown fault bogus'],
    [['--no-such-flag'], "unknown option '--no-such-flag'"],
  ])('exits 2 with a plain message for bad usage: %j', async (args, message) => {
    const { code, err } = await cli('verify', ...args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});
