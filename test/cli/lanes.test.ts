import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliPath as cli, crosstalk } from './spawn-cli.js';

/**
 * Lanes run in worker threads, which load compiled JavaScript: these tests drive the built CLI (`npm test` builds
 * first), as a user does.
 */

describe('crosstalk verify --lanes', () => {
  it('needs the build', () => {
    expect(existsSync(cli), 'run npm run build (npm test does)').toBe(true);
  });

  it('splits the runs over two lanes with seeds S and S+1, and the verdict holds for both', async () => {
    const { code, out } = await crosstalk('verify', '--lanes', '2', '--runs', '12', '--callers', '4', '--ops', '3', '--seed', '40');
    expect(code, out).toBe(0);
    expect(out).toContain('2 lanes, seeds 40..41');
    expect(out).toContain('SAFE to share: undici-pool held every invariant over 12 runs');
  }, 90_000);

  it("reports a violating lane's own seed and path, and that replay reproduces it in one lane", async () => {
    const client = 'test/cli/fixtures/closes-after-each-response.mjs';
    const first = await crosstalk('verify', '--client', client, '--lanes', '2', '--runs', '20', '--callers', '3', '--ops', '3', '--seed', '9');
    expect(first.code, first.out + first.err).toBe(1);
    const replay = /Replay: npx crosstalk (verify .*)/.exec(first.out)?.[1];
    expect(replay, first.out).toMatch(/--seed (9|10) --path [\d:]+/);
    const again = await crosstalk(...replay!.split(' '));
    expect(again.code, again.out).toBe(1);
    expect(again.out).toContain('[reuse]');
  }, 90_000);
});
