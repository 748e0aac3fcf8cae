import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath as cli, crosstalk } from './spawn-cli.js';

/** Shards and merge as a CI fleet runs them: the built CLI, one process per shard, then one for the merge. */
const BUGGY = 'test/cli/fixtures/closes-after-each-response.mjs';
/** Fixed, plus one fresh seed a run (printed in the test title) so the equality is not one lucky seed. */
const FRESH = Number(process.env.SEED ?? (Date.now() % 100_000));


interface Result {
  verdict: string;
  seed: number;
  runs: number;
  invariants: Array<{ invariant: string; status: string; exercisedRuns: number; figures: Record<string, number> }>;
  failure: { replay: string; seed: number; path: string } | null;
  shard?: { index: number; count: number; seed: number; runs: number };
}

const readResult = async (file: string): Promise<Result> => JSON.parse(await readFile(file, 'utf8')) as Result;

/** What must be equal between merged shards and one laned run: everything the seeds decide, not the timings. */
function verdictOf(result: Result) {
  return {
    verdict: result.verdict,
    seed: result.seed,
    runs: result.runs,
    statuses: result.invariants.map((i) => `${i.invariant}:${i.status}`),
    calls: result.invariants.find((i) => i.invariant === 'exactly-once')?.figures.calls,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-shard-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('verify --shard k/n and crosstalk merge', () => {
  it('needs the build', () => {
    expect(existsSync(cli), 'run npm run build (npm test does)').toBe(true);
  });

  it.each([40, FRESH])('two shards merged give the verdict of one 2-lane run of the same seed (seed %i)', async (seed) => {
    const common = ['--runs', '10', '--callers', '4', '--ops', '3', '--seed', String(seed)];
    const [one, two, whole] = [join(dir, `a-${seed}.json`), join(dir, `b-${seed}.json`), join(dir, `whole-${seed}.json`)];
    const shards = await Promise.all([
      crosstalk('verify', ...common, '--shard', '1/2', '--json', one),
      crosstalk('verify', ...common, '--shard', '2/2', '--json', two),
    ]);
    for (const shard of shards) expect(shard.code, shard.out + shard.err).toBe(0);
    expect(shards[1]!.out).toContain(`shard 2/2: 5 of 10 runs, seed ${(seed + 1) | 0}`);
    expect((await readResult(two)).shard).toMatchObject({ index: 2, count: 2, seed: (seed + 1) | 0, runs: 5 });

    const merged = await crosstalk('merge', one, two, '--json', join(dir, `merged-${seed}.json`));
    expect(merged.code, merged.out + merged.err).toBe(0);
    expect(merged.out).toContain('SAFE to share: undici-pool held every invariant over 10 runs');
    const laned = await crosstalk('verify', ...common, '--lanes', '2', '--json', whole);
    expect(laned.code, laned.out).toBe(0);
    expect(verdictOf(await readResult(join(dir, `merged-${seed}.json`)))).toEqual(verdictOf(await readResult(whole)));
  }, 120_000);

  it("a shard's failure survives the merge with its replay command, and the replay reproduces it", async () => {
    const common = ['--client', BUGGY, '--runs', '12', '--callers', '3', '--ops', '3', '--seed', '9'];
    const files = [join(dir, 'bug-1.json'), join(dir, 'bug-2.json')];
    const shards = await Promise.all(
      files.map((file, k) => crosstalk('verify', ...common, '--shard', `${k + 1}/2`, '--json', file)),
    );
    for (const shard of shards) expect(shard.code, shard.out + shard.err).toBe(1);
    const first = await readResult(files[0]!);

    // Given out of order: the first failure is still shard 1's, as lane 0's is in a laned run.
    const merged = await crosstalk('merge', files[1]!, files[0]!);
    expect(merged.code, merged.out + merged.err).toBe(1);
    expect(merged.out).toContain('NOT SAFE to share');
    expect(merged.out).toContain(`Replay: ${first.failure!.replay}`);
    const replay = /Replay: npx crosstalk (verify .*)/.exec(merged.out)?.[1];
    expect(replay, merged.out).toMatch(/--seed 9 --path [\d:]+/);
    // The replay is the shard's own, to the letter (above); that it reproduces is the engine's promise, checked here
    // too, with up to 3 tries: under the loaded parallel suite a shrunk case of this client can replay clean once.
    let again = { code: 0, out: '' };
    for (let attempt = 0; attempt < 3 && again.code !== 1; attempt += 1) again = await crosstalk(...replay!.split(' '));
    expect(again.code, again.out).toBe(1);
    expect(again.out).toContain('[reuse]');
  }, 120_000);

  it('merge refuses shards of different verifications, missing or repeated shards, and other files: exit 2', async () => {
    const small = ['--runs', '2', '--callers', '2', '--ops', '1'];
    const [a, b, other, whole, bad] = ['m-a.json', 'm-b.json', 'm-other.json', 'm-whole.json', 'm-bad.json'].map((f) =>
      join(dir, f),
    ) as [string, string, string, string, string];
    const made = await Promise.all([
      crosstalk('verify', ...small, '--seed', '5', '--shard', '1/2', '--json', a),
      crosstalk('verify', ...small, '--seed', '5', '--shard', '2/2', '--json', b),
      crosstalk('verify', ...small, '--seed', '6', '--shard', '2/2', '--json', other),
      crosstalk('verify', ...small, '--seed', '5', '--json', whole),
    ]);
    for (const shard of made) expect(shard.code, shard.out + shard.err).toBe(0);
    await writeFile(bad, JSON.stringify({ verdict: 'safe' }));
    const cases: Array<[string[], RegExp]> = [
      [[a, other], /is not a shard of the same verification .*: its seed is 6, not 5/],
      [[a], /shard 2\/2 missing/],
      [[a, a, b], /shard 1\/2 is given twice/],
      [[a, whole], /is a result, but not a shard's/],
      [[a, bad], /is not a crosstalk result/],
      [[a, join(dir, 'absent.json')], /no such file/],
    ];
    for (const [files, message] of cases) {
      const { code, err } = await crosstalk('merge', ...files);
      expect(code, err).toBe(2);
      expect(err).toMatch(message);
    }
  }, 120_000);

  it.each([
    [['--shard', '3/2', '--seed', '1'], '--shard must be k/n'],
    [['--shard', '1/2'], '--shard needs --seed'],
    [['--shard', '1/2', '--seed', '1', '--lanes', '2'], '--shard and --lanes are alternatives'],
    [['--shard', '1/4', '--seed', '1', '--runs', '3'], 'every shard needs at least one run'],
  ])('verify %j is bad usage: exit 2', async (args, message) => {
    const { code, err } = await crosstalk('verify', ...args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});
