import { describe, expect, test } from 'vitest';
import { fixtureLiveIds, freshCouch, json, q, req } from './helpers.js';

const couch = freshCouch();
const total = fixtureLiveIds('foundbite').length;

function getKeys(keys: unknown[], params: Record<string, unknown> = {}) {
  const response = couch.handle(req('GET', '/foundbite/_all_docs', { query: q({ keys, ...params }) }));
  expect(response.status).toBe(200);
  return json(response);
}

function postKeys(body: Record<string, unknown>, query = '') {
  const response = couch.handle(req('POST', '/foundbite/_all_docs', { body, query }));
  expect(response.status).toBe(200);
  return json(response);
}

describe('the keys path', () => {
  test('rows come in keys order with offset null, total_rows still the live count', () => {
    const body = getKeys(['recipe:0003', '10', 'apple', 'Apple']);
    expect(body.total_rows).toBe(total);
    expect(body.offset).toBeNull();
    expect(body.rows.map((row: { key: string }) => row.key)).toEqual(['recipe:0003', '10', 'apple', 'Apple']);
  });

  test('a missing id is {"key","error":"not_found"}, without doc even with include_docs', () => {
    const [row] = getKeys(['no-such-doc', 'recipe:0001'], { include_docs: true }).rows;
    expect(row).toEqual({ key: 'no-such-doc', error: 'not_found' });
    expect(Object.keys(row)).toEqual(['key', 'error']);
  });

  test('a deleted id reports value.deleted, and doc:null with include_docs', () => {
    const [row] = getKeys(['recipe:0013']).rows;
    expect(row).toEqual({ id: 'recipe:0013', key: 'recipe:0013', value: { rev: expect.stringMatching(/^\d+-[0-9a-f]{32}$/), deleted: true } });
    const [withDoc] = getKeys(['recipe:0013'], { include_docs: true }).rows;
    expect(Object.keys(withDoc)).toEqual(['id', 'key', 'value', 'doc']);
    expect(withDoc.doc).toBeNull();
  });

  test('duplicate keys give duplicate rows', () => {
    const rows = getKeys(['1', '1', 'nope', 'nope']).rows;
    expect(rows.map((row: { key: string }) => row.key)).toEqual(['1', '1', 'nope', 'nope']);
    expect(rows[0]).toEqual(rows[1]);
  });

  test('descending reverses the keys, then skip and limit apply', () => {
    const keys = ['a', 'b-missing', 'recipe:0001', 'recipe:0002', 'Zebra'];
    const keysOf = (body: { rows: Array<{ key: string }> }) => body.rows.map((row) => row.key);
    expect(keysOf(getKeys(keys, { descending: true }))).toEqual([...keys].reverse());
    expect(keysOf(getKeys(keys, { descending: true, skip: 1, limit: 2 }))).toEqual(['recipe:0002', 'recipe:0001']);
    expect(keysOf(getKeys(keys, { skip: 10 }))).toEqual([]);
    expect(getKeys(keys, { skip: 10 }).offset).toBeNull();
  });

  test('include_docs and conflicts work as on the range path', () => {
    const [row] = getKeys(['conflicted'], { include_docs: true, conflicts: true }).rows;
    expect(row.doc._conflicts).toHaveLength(2);
    expect(row.doc._id).toBe('conflicted');
  });

  test('update_seq is null on the keys path', () => {
    const body = getKeys(['1', '2'], { update_seq: true });
    expect(Object.keys(body)).toEqual(['total_rows', 'offset', 'update_seq', 'rows']);
    expect(body.update_seq).toBeNull();
  });

  test('an empty keys array is the keys path with no rows', () => {
    const body = getKeys([]);
    expect([body.offset, body.rows]).toEqual([null, []]);
  });

  test('_local and design documents can be fetched by key', () => {
    const rows = getKeys(['_local/checkpoint', '_design/recipes', '_local/nope'], { include_docs: true }).rows;
    expect(rows[0]).toMatchObject({ id: '_local/checkpoint', value: { rev: '0-3' }, doc: { _id: '_local/checkpoint', _rev: '0-3' } });
    expect(rows[1]).toMatchObject({ id: '_design/recipes', doc: { language: 'javascript' } });
    expect(rows[2]).toEqual({ key: '_local/nope', error: 'not_found' });
  });

  test('a non-string key is not found', () => {
    expect(getKeys([1, null]).rows).toEqual([{ key: 1, error: 'not_found' }, { key: null, error: 'not_found' }]);
  });

  test('POST {"keys":[…]} with include_docs in the query string (nano db.fetch)', () => {
    const body = postKeys({ keys: ['recipe:0001', 'gone'] }, 'include_docs=true');
    expect(body.rows[0].doc._id).toBe('recipe:0001');
    expect(body.rows[1]).toMatchObject({ id: 'gone', value: { deleted: true }, doc: null });
  });

  test('keys=[K] with key=K is allowed and still the keys path', () => {
    const body = getKeys(['missing-one'], { key: 'missing-one' });
    expect(body.offset).toBeNull();
    expect(body.rows).toEqual([{ key: 'missing-one', error: 'not_found' }]);
    expect(postKeys({ keys: ['recipe:0001'], key: 'recipe:0001' }).offset).toBeNull();
  });
});

describe('the query string wins over the body', () => {
  test('limit and descending from the query string override the body', () => {
    const body = postKeys({ keys: ['1', '2', '3'], limit: 1, descending: false }, 'limit=2&descending=true');
    expect(body.rows.map((row: { key: string }) => row.key)).toEqual(['3', '2']);
  });

  test('range parameters in the body (the IBM SDK\'s snake_case) with the query string on top', () => {
    const body = postKeys({ start_key: 'recipe:0001', end_key: 'recipe:0009', include_docs: true, limit: 5 }, 'limit=2');
    expect(body.rows.map((row: { id: string }) => row.id)).toEqual(['recipe:0001', 'recipe:0002']);
    expect(body.rows[0].doc._id).toBe('recipe:0001');
    expect(body.offset).toBe(fixtureLiveIds('foundbite').indexOf('recipe:0001'));
  });

  test('a body keys array and query-string keys: the query string wins', () => {
    const body = postKeys({ keys: ['1', '2'] }, q({ keys: ['3', '4'] }));
    expect(body.rows.map((row: { key: string }) => row.key)).toEqual(['3', '4']);
  });
});
