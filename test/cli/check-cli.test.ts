import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyResult } from '../../src/verify/verify.js';
import { cliPath, crosstalk } from './spawn-cli.js';

/** verify --json / --report, then check and report on the saved file: the built CLI, spawned, as a user runs it. */
const CLIENT = 'test/cli/fixtures/closes-after-each-response.mjs';
const SEED = 3;

let dir: string;
let saved: string;
let html: string;
let first: { code: number; out: string; err: string };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-check-cli-'));
  saved = join(dir, 'result.json');
  html = join(dir, 'result.html');
  first = await crosstalk('verify', '--client', CLIENT, '--runs', '20', '--callers', '3', '--ops', '3', '--seed', String(SEED), '--check-replay', '0', '--json', saved, '--report', html);
}, 90_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('crosstalk check and crosstalk report on a saved result', () => {
  it('needs the build', () => {
    expect(existsSync(cliPath), 'run npm run build (npm test does)').toBe(true);
  });

  it('verify writes the saved result and the HTML report, and says where', () => {
    expect(first.code, first.out + first.err).toBe(1);
    expect(first.out).toContain(`JSON written to ${saved}`);
    expect(first.out).toContain(`HTML report written to ${html}`);
    expect(existsSync(html)).toBe(true);
  });

  it('check re-runs the invariants on the saved history: the same verdicts, exit 1', async () => {
    const result = JSON.parse(await readFile(saved, 'utf8')) as VerifyResult;
    expect(result.schema).toBe(2);
    expect(result.settings).toMatchObject({ runs: 20, faults: null });
    const { code, out } = await crosstalk('check', saved);
    expect(code, out).toBe(1);
    expect(out).toMatch(/^reuse\s+VIOLATED\s+VIOLATED/m);
    expect(out).toContain('Same verdicts as the run that wrote it: NOT SAFE to share (reuse).');
    expect(out).toContain(`Replay: ${result.failure!.replay}`);
  }, 30_000);

  it('check says so when the saved verdicts differ from the re-check (a file edited, or checks changed)', async () => {
    const result = JSON.parse(await readFile(saved, 'utf8')) as VerifyResult;
    const reuse = result.failure!.checks.find((c) => c.invariant === 'reuse')!;
    reuse.status = 'holds';
    reuse.violations = [];
    const edited = join(dir, 'edited.json');
    await writeFile(edited, JSON.stringify(result));
    const { code, out } = await crosstalk('check', edited);
    expect(code, out).toBe(1);
    expect(out).toMatch(/^reuse\s+holds\s+VIOLATED/m);
    expect(out).toContain('The re-check DIFFERS from the saved verdicts');
    expect(out).toContain('  - reuse: saved holds, re-checked violated');
  }, 30_000);

  it('report writes, from the saved file, the very HTML verify wrote', async () => {
    const again = join(dir, 'again.html');
    const { code, out } = await crosstalk('report', saved, '--html', again);
    expect(code, out).toBe(0);
    expect(await readFile(again, 'utf8')).toBe(await readFile(html, 'utf8'));
  }, 30_000);

  it('check exits 0 on a safe result, which keeps no history to re-check', async () => {
    const safe = join(dir, 'safe.json');
    const run = await crosstalk('verify', '--runs', '3', '--callers', '2', '--ops', '2', '--seed', '5', '--json', safe);
    expect(run.code, run.out).toBe(0);
    const { code, out } = await crosstalk('check', safe);
    expect(code, out).toBe(0);
    expect(out).toContain('The verification was SAFE over 3 runs');
    expect(out).toMatch(/^reuse\s+holds\s+1/m);
  }, 60_000);

  it.each([
    ['an older schema', (r: Record<string, unknown>) => JSON.stringify({ ...r, schema: 1 }), 'written by an older crosstalk (result schema 1); this crosstalk reads schema 2'],
    ['a malformed file', () => '{"schema": 2, "verdict": ', 'is not JSON'],
    ['a file that is not a result', () => '{"hello": "world"}', 'is not a crosstalk result'],
    ['a history with a hole in it', (r: Record<string, unknown>) => JSON.stringify({ ...r, failure: { ...(r.failure as object), history: { schema: 1 } } }), 'failure.history.client: expected a string, got nothing'],
  ])('check and report refuse %s: exit 2, a plain message', async (name, make, message) => {
    const result = JSON.parse(await readFile(saved, 'utf8')) as Record<string, unknown>;
    const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    await writeFile(file, make(result));
    for (const args of [['check', file], ['report', file, '--html', join(dir, 'never.html')]]) {
      const { code, out, err } = await crosstalk(...args);
      expect(code, out + err).toBe(2);
      expect(err).toContain(message);
      expect(err).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
  }, 30_000);

  it('check refuses a file that is not there, exit 2', async () => {
    const { code, err } = await crosstalk('check', join(dir, 'missing.json'));
    expect(code).toBe(2);
    expect(err).toContain('missing.json: no such file.');
  });
});
