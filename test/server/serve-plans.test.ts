import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { serve, type ServeAnnouncement, type ServeOptions } from '../../src/cli/serve.js';
import { parsePlanFile, seededFaultSource } from '../../src/server/plan-sources.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-serve-plans-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts `serve` in-process, hands the announcement and a pool to `body`, then stops it and returns the history. */
async function withServe(
  options: Omit<ServeOptions, 'port' | 'history'>,
  body: (announcement: ServeAnnouncement, get: (id: string) => Promise<{ status: number } | { error: string }>) => Promise<void>,
): Promise<Array<Record<string, unknown>>> {
  const history = join(dir, `history-${Math.random().toString(16).slice(2)}.jsonl`);
  let stop!: () => void;
  let announce!: (line: string) => void;
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const serving = serve({ port: 0, history, ...options }, { out: announce, stop: new Promise<void>((r) => (stop = r)) });
  const announcement = JSON.parse(await announced) as ServeAnnouncement;
  const account = announcement.accounts.find((a) => a.name === 'education')!;
  const auth = `Basic ${Buffer.from(`${account.users[0]!.name}:${account.users[0]!.password}`).toString('base64')}`;
  const pool = new Pool(announcement.origin, { connections: 1, connect: { ca: await readFile(announcement.caFile, 'utf8') } });
  try {
    await body(announcement, async (id) => {
      try {
        const response = await pool.request({
          method: 'GET',
          path: '/foundbite/_all_docs?limit=2',
          headers: { authorization: auth, 'x-couch-request-id': id },
        });
        await response.body.text();
        return { status: response.statusCode };
      } catch (error) {
        return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
      }
    });
  } finally {
    await pool.destroy();
    stop();
    await serving;
  }
  return (await readFile(history, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('crosstalk serve under the fault vocabulary', () => {
  it('a plan file shapes the responses of the request ids it names, and the history records the faults', async () => {
    const plan = join(dir, 'plan.json');
    await writeFile(
      plan,
      JSON.stringify({
        requests: { 'py-reset': { resetBeforeAnswer: true, faults: ['reset-before-answer'] } },
        prefixes: { 'busy-': { replaceWith: { status: 503, retryAfterS: 1 }, faults: ['retry-after'] } },
      }),
    );
    const records = await withServe({ plan }, async (announcement, get) => {
      expect(announcement.plans).toEqual({ kind: 'file', file: plan });
      expect(await get('plain-1')).toEqual({ status: 200 });
      expect(await get('busy-7')).toEqual({ status: 503 });
      expect(await get('py-reset')).toMatchObject({ error: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/) });
    });
    const requests = records.filter((r) => r.type === 'request');
    const byId = new Map(requests.map((r) => [r.requestId, r]));
    expect(byId.get('plain-1')).toMatchObject({ status: 200, faults: [] });
    expect(byId.get('busy-7')).toMatchObject({ status: 503, faults: ['retry-after'] });
    expect(byId.get('py-reset')).toMatchObject({ outcome: 'reset', faults: ['reset-before-answer'] });
  }, 30_000);

  it('seeded faults give the same request id the same plan, whatever the order, and say their seed', async () => {
    const a = seededFaultSource(42, ['reset-mid-body', 'header-delay', 'trailers']);
    const b = seededFaultSource(42, ['reset-mid-body', 'header-delay', 'trailers']);
    const ids = Array.from({ length: 40 }, (_, i) => `op-${i}`);
    const forward = ids.map((id) => a.planFor(id, undefined as never));
    const backward = [...ids].reverse().map((id) => b.planFor(id, undefined as never)).reverse();
    expect(forward).toEqual(backward);
    const names = new Set(forward.flatMap((plan) => plan?.faults ?? []));
    expect([...names].sort()).toEqual(['header-delay', 'reset-mid-body', 'trailers']);
    expect(seededFaultSource(43, ['reset-mid-body', 'header-delay', 'trailers']).planFor('op-1', undefined as never)).toBeDefined();

    await withServe({ faults: 'trailers', seed: '5' }, async (announcement, get) => {
      expect(announcement.plans).toEqual({ kind: 'seeded-faults', seed: 5, faults: ['trailers'], clientTimeoutMs: 1000 });
      expect(await get('x')).toEqual({ status: 200 });
    });
  }, 30_000);

  it('rejects a bad plan file or fault name with a plain message and exit code 2', async () => {
    expect(() => parsePlanFile('{"requests": {"a": {"resetSoon": true}}}')).toThrow(/unknown field resetSoon/);
    expect(() => parsePlanFile('[1]')).toThrow(/must be a JSON object/);
    expect(() => parsePlanFile('{"rules": {}}')).toThrow(/unknown member rules/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{not json');
    let err = '';
    expect(await main(['serve', '--plan', bad], { writeErr: (t) => (err += t) })).toBe(2);
    expect(err).toContain('not valid JSON');
    err = '';
    expect(await main(['serve', '--faults', 'nope'], { writeErr: (t) => (err += t) })).toBe(2);
    expect(err).toContain('Unknown fault nope');
  });
});
