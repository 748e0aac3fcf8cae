import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_BUGGY_CLIENTS, PLAIN_BUGGY_CLIENTS } from '../../bench/buggy-clients.js';
import type { BuggyClient } from '../../bench/buggy-clients.js';
import type { MockServer } from '../../src/server/index.js';
import { startMockServer } from '../../src/server/index.js';
import { recheckResult } from '../../src/verify/recheck.js';
import { parseSavedResult, serializeResult } from '../../src/verify/saved-result.js';
import type { VerifyResult } from '../../src/verify/verify.js';
import { verifyAgainst } from '../../src/verify/verify.js';
import { crosstalk } from '../cli/spawn-cli.js';
import { describeResult, teethSettings } from '../support/expect-caught.js';

/**
 * The JSON round trip, for every buggy client of the suite: one run to the first failure (fixed seed, no shrinking),
 * saved, read back, and re-checked; the verdicts, violations and figures must be exactly those of the run that
 * wrote the file. A few go through the built CLI as well (`crosstalk check` must exit 1 and say so).
 */
const SEED = 1901;
const THROUGH_CLI = new Set(['shared-response-buffer', 'closes-after-each-response', 'returns-socket-on-abort']);

let server: MockServer;
let dir: string;
beforeAll(async () => {
  server = await startMockServer();
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-saved-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function firstFailure(client: BuggyClient): Promise<VerifyResult> {
  const settings = { ...teethSettings(client.name, client.factory, SEED), ...client.settings, runs: 200, noShrink: true };
  const result = await verifyAgainst(server, settings);
  expect(result.verdict, describeResult(result)).toBe('violated');
  return result;
}

const statuses = (checks: Array<{ invariant: string; status: string }>) => checks.map((c) => `${c.invariant}=${c.status}`);

describe(`a saved result re-checks to the verdicts of the run that wrote it (seed ${SEED})`, () => {
  it.each([...PLAIN_BUGGY_CLIENTS, ...FAULT_BUGGY_CLIENTS].map((c) => [c.name, c] as const))('%s', async (name, client) => {
    const result = await firstFailure(client);
    const text = serializeResult(result);
    const back = parseSavedResult(text, `${name}.json`);
    const recheck = recheckResult(back);
    const saved = result.failure!.checks;
    expect(recheck.differences, describeResult(result)).toEqual([]);
    expect(statuses(recheck.checks!)).toEqual(statuses(saved));
    expect(recheck.checks!.flatMap((c) => c.violations)).toEqual(saved.flatMap((c) => c.violations));
    expect(recheck.checks!.map((c) => c.figures)).toEqual(saved.map((c) => c.figures));
    expect(recheck.exitCode).toBe(1);

    if (!THROUGH_CLI.has(name)) return;
    const file = join(dir, `${name}.json`);
    await writeFile(file, text);
    const { code, out, err } = await crosstalk('check', file);
    expect(code, out + err).toBe(1);
    expect(out).toContain('Same verdicts as the run that wrote it');
    for (const check of saved) {
      const word = { holds: 'holds', violated: 'VIOLATED', 'not-exercised': 'not exercised' }[check.status];
      expect(out).toMatch(new RegExp(`^${check.invariant}\\s+${word}\\s+${word}`, 'm'));
    }
    for (const violation of saved.flatMap((c) => c.violations)) expect(out).toContain(violation.message);
  }, 60_000);
});

describe('reading a saved result', () => {
  const minimal = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      schema: 2,
      client: 'x',
      connections: 2,
      callers: 2,
      opsPerCaller: 2,
      seed: 1,
      settings: { runs: 1, faults: null },
      verdict: 'safe',
      runs: 1,
      elapsedMs: 1,
      invariants: [],
      failure: null,
      ...extra,
    });

  it('takes a current result and carries fields it does not know', () => {
    const result = parseSavedResult(minimal({ shrinkStats: { steps: 3 } }), 'r.json');
    expect(result.verdict).toBe('safe');
    expect((result as unknown as { shrinkStats: unknown }).shrinkStats).toEqual({ steps: 3 });
  });

  it.each([
    ['not JSON', '{"schema": 2,', /r\.json is not JSON/],
    ['not a result', '[1, 2, 3]', /r\.json is not a crosstalk result/],
    ['an older schema', minimal({ schema: 1 }), /written by an older crosstalk \(result schema 1\); this crosstalk reads schema 2/],
    ['a newer schema', minimal({ schema: 3 }), /written by a newer crosstalk \(result schema 3\)/],
    ['a field of the wrong type', minimal({ seed: 'one' }), /not a valid crosstalk result: seed: expected a number, got "one"/],
    ['an unknown verdict', minimal({ verdict: 'fine' }), /verdict "fine"/],
    ['a history without calls', minimal({ verdict: 'violated', failure: { seed: 1, path: '1', fastCheck: '', replay: '', numShrinks: 0, checks: [], history: {} } }), /failure\.history\.schema: expected a number, got nothing/],
  ])('refuses %s with a plain message', (_, text, message) => {
    expect(() => parseSavedResult(text, 'r.json')).toThrow(message);
  });
});
