import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crosstalk } from './spawn-cli.js';
import type { HistoryLogLine, HistoryLogRun } from '../../src/verify/history-log.js';



async function lines(file: string): Promise<HistoryLogLine[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as HistoryLogLine);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-history-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('verify --history FILE', () => {
  it('streams one joined history a run, from both lanes, between a header and an end line', async () => {
    const file = join(dir, 'lanes.jsonl');
    const { code, out } = await crosstalk('verify', '--lanes', '2', '--runs', '6', '--callers', '3', '--ops', '2', '--seed', '21', '--history', file);
    expect(code, out).toBe(0);
    const all = await lines(file);
    expect(all[0]).toMatchObject({ type: 'header', schema: 1, historySchema: 1, client: 'undici-pool', seed: 21, runs: 6 });
    expect(all.at(-1)).toEqual({ type: 'end', schema: 1, verdict: 'safe', runs: 6, replay: null });
    const runs = all.filter((line): line is HistoryLogRun => line.type === 'run');
    expect(runs).toHaveLength(6);
    expect(runs.map((r) => `${r.lane}:${r.seed}:${r.history.run}`).sort()).toEqual(
      ['0:21:1', '0:21:2', '0:21:3', '1:22:1', '1:22:2', '1:22:3'],
    );
    for (const { history, checks, phase } of runs) {
      expect(phase).toBe('search');
      expect(checks.map((c) => c.status)).not.toContain('violated');
      // Joined: every call the callers made is there, and the server's record of each answered one.
      expect(history.calls.length).toBe(history.scenario.callers.reduce((n, c) => n + c.ops.length, 0));
      const served = new Set(history.server.requests.map((r) => r.requestId));
      for (const call of history.calls) expect(served.has(call.requestId), call.requestId).toBe(true);
      expect(history.server.sockets.length).toBeGreaterThan(0);
    }
  }, 90_000);

  it("a failing verification's file holds its shrinking and replay runs, marked, and ends with the replay command", async () => {
    const file = join(dir, 'failing.jsonl');
    const client = 'test/cli/fixtures/closes-after-each-response.mjs';
    const { code, out } = await crosstalk('verify', '--client', client, '--runs', '10', '--callers', '3', '--ops', '3', '--seed', '3', '--history', file);
    expect(code, out).toBe(1);
    const all = await lines(file);
    const end = all.at(-1)!;
    expect(end.type).toBe('end');
    const replay = /Replay: (npx crosstalk verify .*)/.exec(out)?.[1];
    expect(end).toMatchObject({ verdict: 'violated', replay });
    const runs = all.filter((line): line is HistoryLogRun => line.type === 'run');
    const firstFailing = runs.findIndex((r) => r.checks.some((c) => c.status === 'violated'));
    expect(firstFailing).toBeGreaterThanOrEqual(0);
    expect(runs.slice(0, firstFailing + 1).every((r) => r.phase === 'search')).toBe(true);
    // Then shrinking, then the replays that check the final counterexample (5 by default), in that order.
    const after = runs.slice(firstFailing + 1).map((r) => r.phase);
    expect(after.join(' ')).toMatch(/^(shrink )*(replay ?){5}$/);
  }, 90_000);

  it('a history file that cannot be written is bad usage: exit 2 before any run', async () => {
    const { code, err } = await crosstalk('verify', '--runs', '1', '--history', join(dir, 'no-such-dir', 'h.jsonl'));
    expect(code).toBe(2);
    expect(err).toContain('cannot write');
  });
});
