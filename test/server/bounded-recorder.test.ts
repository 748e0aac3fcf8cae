import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../src/server/index.js';
import { RecordWindow } from '../../src/server/record-window.js';
import { fakeCouch } from './support/fake-couch.js';

describe('RecordWindow', () => {
  it('keeps absolute positions across drops and compactions', () => {
    const window = new RecordWindow<number>();
    for (let i = 0; i < 100; i += 1) window.push(i);
    window.dropBefore(60);
    expect([window.start, window.held, window.total]).toEqual([60, 40, 100]);
    expect(window.slice(70)).toEqual(Array.from({ length: 30 }, (_, i) => 70 + i));
    for (let i = 100; i < 300; i += 1) window.push(i);
    window.dropBefore(250);
    window.dropBefore(10); // never backwards
    expect(window.start).toBe(250);
    expect(window.slice(250)).toEqual(Array.from({ length: 50 }, (_, i) => 250 + i));
    expect(window.slice(0)[0]).toBe(250);
  });
});

describe('the recorder is bounded', () => {
  it('keeps the newest `retainRecords`, and everything since the newest mark; an older mark fails loudly', async () => {
    const server = await startMockServer({ couch: fakeCouch(), retainRecords: 10 });
    const pool = new Pool(server.origin, { connections: 1, connect: { ca: server.ca } });
    const get = async (id: string): Promise<void> => {
      const response = await pool.request({ path: '/acme-db/_all_docs', method: 'GET', headers: { 'x-couch-request-id': id } });
      await response.body.text();
    };
    try {
      const first = server.recorder.mark();
      for (let i = 0; i < 12; i += 1) await get(`a-${i}`);
      // A run longer than the bound still reads every one of its records.
      expect(server.recorder.since(first).requests.map((r) => r.requestId)).toEqual(
        Array.from({ length: 12 }, (_, i) => `a-${i}`),
      );
      const second = server.recorder.mark();
      for (let i = 0; i < 8; i += 1) await get(`b-${i}`);
      expect(server.recorder.since(second).requests).toHaveLength(8);
      // The newest 10 are held (2 from before the newest mark); the oldest are forgotten.
      expect(server.recorder.held().requests).toBe(10);
      expect(server.recorder.snapshot().requests.map((r) => r.requestId).slice(0, 3)).toEqual(['a-10', 'a-11', 'b-0']);
      expect(() => server.recorder.since(first)).toThrow(/no longer holds the records after this mark/);
    } finally {
      await pool.close();
      await server.close();
    }
  });

  it('without marks it holds at most the bound, however many requests it serves', async () => {
    const server = await startMockServer({ couch: fakeCouch(), retainRecords: 5 });
    const pool = new Pool(server.origin, { connections: 2, connect: { ca: server.ca } });
    try {
      for (let i = 0; i < 40; i += 1) {
        const response = await pool.request({ path: '/acme-db/_all_docs', method: 'GET' });
        await response.body.text();
      }
      expect(server.recorder.held().requests).toBe(5);
      expect(server.recorder.snapshot().requests).toHaveLength(5);
    } finally {
      await pool.close();
      await server.close();
    }
  });
});
