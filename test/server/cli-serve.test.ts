import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { serve, type ServeAnnouncement } from '../../src/cli/serve.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosstalk-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('crosstalk serve', () => {
  it('announces one JSON line, serves with its CA file, and flushes the history when stopped', async () => {
    const history = join(dir, 'serve.jsonl');
    const lines: string[] = [];
    let stop!: () => void;
    let announced!: () => void;
    const ready = new Promise<void>((resolve) => (announced = resolve));
    const serving = serve(
      { port: 0, history },
      {
        out: (line) => {
          lines.push(line);
          announced();
        },
        stop: new Promise<void>((resolve) => (stop = resolve)),
      },
    );
    await ready;
    expect(lines).toHaveLength(1);
    const announcement = JSON.parse(lines[0]!) as ServeAnnouncement;
    expect(announcement.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(announcement.admin).toEqual({ name: expect.any(String), password: expect.any(String) });
    const account = announcement.accounts.find((candidate) => candidate.databases.length > 0)!;
    const user = account.users[0]!;
    const ca = await readFile(announcement.caFile, 'utf8');
    const pool = new Pool(announcement.origin, { connections: 1, connect: { ca } });
    const response = await pool.request({
      path: `/${account.databases[0]}/_all_docs?limit=1`,
      method: 'GET',
      headers: { authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}` },
    });
    await response.body.text();
    expect(response.statusCode).toBe(200);
    await pool.close();
    stop();
    await serving;
    const historyLines = (await readFile(history, 'utf8')).trimEnd().split('\n');
    const records = historyLines.map((line) => JSON.parse(line) as { type: string });
    expect(records.map((record) => record.type)).toEqual(['header', 'request', 'socket']);
  });

  const usage: Array<[string, string[]]> = [
    ['a port that is not a number', ['serve', '--port', 'abc']],
    ['a port out of range', ['serve', '--port', '70000']],
    ['an unknown flag', ['serve', '--bogus']],
    ['a fixtures directory that does not exist', ['serve', '--fixtures', '/no/such/dir']],
    ['an unknown command', ['frobnicate']],
  ];
  for (const [name, args] of usage) {
    it(`${name}: a plain message on stderr, exit 2`, async () => {
      let stderr = '';
      expect(await main(args, { writeErr: (text) => (stderr += text) })).toBe(2);
      expect(stderr).toMatch(/^error: /);
      expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    });
  }
});
