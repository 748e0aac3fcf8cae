import { beforeEach, describe, expect, test } from 'vitest';
import type { Couch } from '../../../src/server/couch/index.js';
import { freshCouch, json, q, req } from './helpers.js';

const REV_A = `1-${'a'.repeat(32)}`;
const REV_B = `2-${'b'.repeat(32)}`;
const REV_C = `1-${'c'.repeat(32)}`;
const REV_D = `1-${'d'.repeat(32)}`;

let couch: Couch;
beforeEach(() => {
  couch = freshCouch();
  expect(couch.handle(req('PUT', '/tiny')).status).toBe(201);
  const docs = [
    { _id: 'a', _rev: REV_A, n: 1 },
    { _id: 'b', _rev: REV_B, n: 2 },
    { _id: 'c', _rev: REV_C, _deleted: true },
    { _id: 'd', _rev: REV_D },
    { _id: '_local/x', _rev: '0-1', n: 0 },
  ];
  expect(couch.handle(req('POST', '/tiny/_bulk_docs', { body: { docs, new_edits: false } })).status).toBe(201);
});

const body = (method: string, path: string, options: Parameters<typeof req>[2] = {}) => {
  const response = couch.handle(req(method, path, options));
  expect(response.status).toBe(200);
  expect(response.chunked).toBe(true);
  return response.body.toString('utf8');
};

const ROW_A = `{"id":"a","key":"a","value":{"rev":"${REV_A}"}}`;
const ROW_B = `{"id":"b","key":"b","value":{"rev":"${REV_B}"}}`;
const ROW_D = `{"id":"d","key":"d","value":{"rev":"${REV_D}"}}`;

describe('the _all_docs wire layout, byte for byte', () => {
  test('range path', () => {
    expect(body('GET', '/tiny/_all_docs')).toBe(
      `{"total_rows":3,"offset":0,"rows":[\r\n${ROW_A},\r\n${ROW_B},\r\n${ROW_D}\r\n]}\n`,
    );
  });

  test('one row, with include_docs', () => {
    expect(body('GET', '/tiny/_all_docs', { query: q({ key: 'b', include_docs: true }) })).toBe(
      `{"total_rows":3,"offset":1,"rows":[\r\n{"id":"b","key":"b","value":{"rev":"${REV_B}"},"doc":{"_id":"b","_rev":"${REV_B}","n":2}}\r\n]}\n`,
    );
  });

  test('no rows: the array opens and closes on its own lines', () => {
    expect(body('GET', '/tiny/_all_docs', { query: q({ startkey: 'x' }) })).toBe('{"total_rows":3,"offset":3,"rows":[\r\n\r\n]}\n');
  });

  test('update_seq sits between offset and rows', () => {
    const text = body('GET', '/tiny/_all_docs', { query: 'update_seq=true&limit=1' });
    expect(text).toMatch(/^\{"total_rows":3,"offset":0,"update_seq":"4-g1AAAA[A-Za-z0-9_-]+","rows":\[\r\n/);
  });

  test('keys path: null offset, error rows, deleted rows', () => {
    expect(body('GET', '/tiny/_all_docs', { query: q({ keys: ['d', 'zz', 'c'], include_docs: true }) })).toBe(
      '{"total_rows":3,"offset":null,"rows":[\r\n' +
        `{"id":"d","key":"d","value":{"rev":"${REV_D}"},"doc":{"_id":"d","_rev":"${REV_D}"}},\r\n` +
        '{"key":"zz","error":"not_found"},\r\n' +
        `{"id":"c","key":"c","value":{"rev":"${REV_C}","deleted":true},"doc":null}` +
        '\r\n]}\n',
    );
  });

  test('no ETag on _all_docs, and HEAD has the same status and framing with no body', () => {
    const get = couch.handle(req('GET', '/tiny/_all_docs'));
    expect(get.headers).toEqual({});
    const head = couch.handle(req('HEAD', '/tiny/_all_docs'));
    expect([head.status, head.chunked, head.body.length]).toEqual([200, true, 0]);
  });
});

describe('/_all_docs/queries', () => {
  test('results wrap each query, the first after \\r\\n, the rest after ,\\r\\n', () => {
    const queries = [{ keys: ['a', 'b'] }, { startkey: 'b', limit: 1 }, { startkey: 'x' }];
    expect(body('POST', '/tiny/_all_docs/queries', { body: { queries } })).toBe(
      '{"results":[\r\n' +
        `{"total_rows":3,"offset":null,"rows":[\r\n${ROW_A},\r\n${ROW_B}\r\n]},\r\n` +
        `{"total_rows":3,"offset":1,"rows":[\r\n${ROW_B}\r\n]},\r\n` +
        '{"total_rows":3,"offset":3,"rows":[\r\n\r\n]}' +
        '\r\n]}\n',
    );
  });

  test('no queries', () => {
    expect(body('POST', '/tiny/_all_docs/queries', { body: { queries: [] } })).toBe('{"results":[\r\n]}\n');
  });

  test('a one-key query becomes a key query (range path, numeric offset)', () => {
    const results = JSON.parse(body('POST', '/tiny/_all_docs/queries', { body: { queries: [{ keys: ['b'] }, { keys: ['zz'] }] } })).results;
    expect(results[0]).toEqual({ total_rows: 3, offset: 1, rows: [{ id: 'b', key: 'b', value: { rev: REV_B } }] });
    expect(results[1]).toEqual({ total_rows: 3, offset: 3, rows: [] });
  });

  test('the query string gives defaults that each query overrides; its keys are dropped', () => {
    const text = body('POST', '/tiny/_all_docs/queries', {
      body: { queries: [{}, { descending: false }] },
      query: `descending=true&limit=1&${q({ keys: ['a', 'b'] })}`,
    });
    const results = JSON.parse(text).results;
    expect(results[0].rows.map((row: { id: string }) => row.id)).toEqual(['d']);
    expect(results[1].rows.map((row: { id: string }) => row.id)).toEqual(['a']);
  });

  test('no Content-Type check on /queries (chttpd makes none)', () => {
    const response = couch.handle(req('POST', '/tiny/_all_docs/queries', { body: '{"queries":[{"limit":0}]}', headers: { 'content-type': 'text/plain' } }));
    expect(response.status).toBe(200);
    expect(json(response).results).toEqual([{ total_rows: 3, offset: 0, rows: [] }]);
  });
});

describe('caching never outlives a write', () => {
  test('a repeated query sees documents written in between', () => {
    const first = body('GET', '/tiny/_all_docs');
    expect(body('GET', '/tiny/_all_docs')).toBe(first);
    expect(couch.handle(req('PUT', '/tiny/e', { body: { n: 5 } })).status).toBe(201);
    const after = json(couch.handle(req('GET', '/tiny/_all_docs')));
    expect(after.total_rows).toBe(4);
    expect(after.rows.at(-1).id).toBe('e');
  });

  test('a _local write shows in the keys path at once', () => {
    const keys = q({ keys: ['_local/x', '_local/y'] });
    expect(json(couch.handle(req('GET', '/tiny/_all_docs', { query: keys }))).rows[1]).toEqual({ key: '_local/y', error: 'not_found' });
    expect(couch.handle(req('PUT', '/tiny/_local/y', { body: { n: 1 } })).status).toBe(201);
    expect(json(couch.handle(req('GET', '/tiny/_all_docs', { query: keys }))).rows[1]).toMatchObject({ id: '_local/y', value: { rev: '0-1' } });
  });
});
