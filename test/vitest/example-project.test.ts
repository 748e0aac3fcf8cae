import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../cli/spawn-cli.js';

/**
 * crosstalk/vitest from a user's point of view: examples/vitest copied into a project of its own, crosstalk
 * installed in its node_modules (a link to this package, built), its own vitest run on it as `npm test` would, and
 * waited for until the process ends. With the example's correct client it passes; with a buggy client swapped in,
 * it fails with the violation in words, the replay command, and the HTML report written beside the test file.
 */
const run = promisify(execFile);
const projects: string[] = [];
afterAll(() => Promise.all(projects.map((dir) => rm(dir, { recursive: true, force: true }))));

async function userProject(client?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'crosstalk-user-project-'));
  projects.push(dir);
  await cp(join(root, 'examples', 'vitest'), dir, { recursive: true });
  await mkdir(join(dir, 'node_modules', '@types'), { recursive: true });
  await symlink(root, join(dir, 'node_modules', 'crosstalk'), 'dir');
  for (const dep of ['vitest', 'undici', 'typescript', '@types/node']) {
    await symlink(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  }
  if (client !== undefined) await writeFile(join(dir, 'my-client.mjs'), client);
  return dir;
}

/** The user's own tool, in their project, with none of this suite's vitest environment leaking into it. */
async function inProject(dir: string, script: string, args: string[]): Promise<{ code: number; out: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|__VITEST)/.test(key)));
  try {
    const { stdout, stderr } = await run(process.execPath, [join(dir, 'node_modules', script), ...args], {
      cwd: dir,
      env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 80_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

const vitest = (dir: string) => inProject(dir, 'vitest/vitest.mjs', ['run']);

/** A buggy client of this suite, compiled, as the user's module: it never reuses a socket. */
const BUGGY = `export { createClosesAfterEachResponseClient as default } from '${pathToFileURL(join(root, 'dist/test/check/reuse/closes-after-each-response.js')).href}';\n`;

describe('crosstalk/vitest in a user project (examples/vitest)', () => {
  it('needs the build', () => {
    expect(existsSync(join(root, 'dist/src/vitest/index.js')), 'run npm run build (npm test does)').toBe(true);
  });

  it('passes on the correct client, and the example typechecks against the published types', async () => {
    const dir = await userProject();
    const { code, out } = await vitest(dir);
    expect(code, out).toBe(0);
    expect(out).toMatch(/Tests\s+2 passed/);
    expect(existsSync(join(dir, '.crosstalk')), 'nothing written when safe').toBe(false);
    const types = await inProject(dir, 'typescript/bin/tsc', ['-p', '.']);
    expect(types.code, types.out).toBe(0);
  }, 90_000);

  it('fails on a buggy client: the violation in words, the replay command, the HTML report beside the test', async () => {
    const dir = await userProject(BUGGY);
    const { code, out } = await vitest(dir);
    expect(code, out).toBe(1);
    expect(out).toMatch(/Tests\s+2 failed/);
    // crosstalkTest: the report, the replay, where the files are.
    expect(out).toContain('NOT SAFE to share: ./my-client.mjs violated reuse.');
    expect(out).toMatch(/\[reuse\] the client closed socket \d+ [\d.]+ ms after its healthy reply to r\d+-c\d+-o\d+/);
    expect(out).toMatch(/Replay: npx crosstalk verify --client \.\/my-client\.mjs .*--seed 42 --path [\d:]+/);
    const files = await readdir(join(dir, '.crosstalk'));
    expect(files.sort()).toEqual([
      'client.test-our-shared-client-is-safe-to-share-between-concurrent-callers.html',
      'client.test-our-shared-client-is-safe-to-share-between-concurrent-callers.json',
    ]);
    expect(out).toContain(`HTML report: ${join(dir, '.crosstalk', files[0]!)}`);
    // The matchers: the first one broken fails with its invariant's violation in words.
    expect(out).toMatch(/expected reuse to hold \(the client reuses its idle sockets[^)]*\), but it was violated:\n\s+- the client closed socket/);
    expect(out).toMatch(/client\.test\.ts:\d+:\d+[\s\S]*expect\(result\)\.toReuseSockets\(\)/);
    // The saved result beside it is one `crosstalk check` reads.
    const check = await inProject(dir, 'crosstalk/dist/src/cli.js', ['check', join(dir, '.crosstalk', files[1]!)]);
    expect(check.code, check.out).toBe(1);
    expect(check.out).toContain('Same verdicts as the run that wrote it: NOT SAFE to share (reuse).');
  }, 90_000);

  it('keeps vitest out of `import "crosstalk"`: only crosstalk/vitest loads it', async () => {
    const dir = await userProject();
    // A resolve hook that refuses vitest, then each entry imported on its own.
    const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'vitest' || specifier.startsWith('vitest/') || specifier.startsWith('@vitest/')) throw new Error('vitest was imported');
  return next(specifier, context);
}\n`;
    await writeFile(join(dir, 'no-vitest.mjs'), hook);
    const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'no-vitest.mjs')).href)});`;
    const load = (entry: string) =>
      run(process.execPath, ['--import', register, '--input-type=module', '-e', `await import('${entry}'); console.log('loaded');`], { cwd: dir, timeout: 30_000 }).then(
        (r) => r.stdout,
        (e: { stderr?: string }) => e.stderr ?? 'failed',
      );
    expect(await load('crosstalk')).toContain('loaded');
    expect(await load('crosstalk/vitest')).toContain('vitest was imported');
  }, 60_000);
});
