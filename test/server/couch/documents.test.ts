import { beforeEach, describe, expect, test } from 'vitest';
import type { Couch } from '../../../src/server/couch/index.js';
import { AMARA, CARMEN, freshCouch, json, q, req } from './helpers.js';

let couch: Couch;
beforeEach(() => {
  couch = freshCouch();
});

const REV = /^(\d+)-[0-9a-f]{32}$/;
const put = (path: string, body: unknown, options: Parameters<typeof req>[2] = {}) =>
  couch.handle(req('PUT', path, { as: AMARA, body, ...options }));
const get = (path: string, query = '') => couch.handle(req('GET', path, { as: AMARA, query }));

describe('documents with revisions', () => {
  test('create, read, update with the current rev, 409 on a stale or missing rev', () => {
    const created = put('/foundbite/new-doc', { title: 'first' });
    expect(created.status).toBe(201);
    const first = json(created);
    expect(first).toEqual({ ok: true, id: 'new-doc', rev: expect.stringMatching(REV) });
    expect(first.rev.startsWith('1-')).toBe(true);
    expect(created.headers['ETag']).toBe(`"${first.rev}"`);
    expect(created.headers['Location']).toMatch(/\/foundbite\/new-doc$/);
    expect(json(get('/foundbite/new-doc'))).toEqual({ _id: 'new-doc', _rev: first.rev, title: 'first' });

    const conflict = { error: 'conflict', reason: 'Document update conflict.' };
    const again = put('/foundbite/new-doc', { title: 'no rev' });
    expect([again.status, json(again)]).toEqual([409, conflict]);

    const second = json(put('/foundbite/new-doc', { _rev: first.rev, title: 'second' }));
    expect(second.rev.startsWith('2-')).toBe(true);
    const stale = put('/foundbite/new-doc', { _rev: first.rev, title: 'stale' });
    expect([stale.status, json(stale)]).toEqual([409, conflict]);
    const viaQuery = put('/foundbite/new-doc', { title: 'third' }, { query: `rev=${second.rev}` });
    expect(json(viaQuery).rev.startsWith('3-')).toBe(true);
    const viaIfMatch = put('/foundbite/new-doc', { title: 'fourth' }, { headers: { 'if-match': `"${json(viaQuery).rev}"` } });
    expect(json(viaIfMatch).rev.startsWith('4-')).toBe(true);
  });

  test('revision ids are deterministic: the same edit gives the same rev on another instance', () => {
    const a = json(put('/foundbite/same', { x: 1 }));
    const b = json(freshCouch().handle(req('PUT', '/foundbite/same', { as: AMARA, body: { x: 1 } })));
    expect(a.rev).toBe(b.rev);
  });

  test('a body rev and a query rev must agree', () => {
    const rev = json(put('/foundbite/agree', {})).rev;
    const response = put('/foundbite/agree', { _rev: rev }, { query: `rev=1-${'0'.repeat(32)}` });
    expect([response.status, json(response)]).toEqual([400, { error: 'bad_request', reason: 'Document rev from request body and query string have different values' }]);
    const badRev = put('/foundbite/agree', { _rev: 'nonsense' });
    expect([badRev.status, json(badRev)]).toEqual([400, { error: 'bad_request', reason: 'Invalid rev format' }]);
  });

  test('delete needs the current rev; a deleted doc is 404 "deleted", readable by rev, and can be recreated', () => {
    const rev = json(put('/foundbite/doomed', { n: 1 })).rev;
    const noRev = couch.handle(req('DELETE', '/foundbite/doomed', { as: AMARA }));
    expect(noRev.status).toBe(409);
    const deleted = couch.handle(req('DELETE', '/foundbite/doomed', { as: AMARA, query: `rev=${rev}` }));
    expect(deleted.status).toBe(200);
    const tombstone = json(deleted).rev;
    expect(tombstone.startsWith('2-')).toBe(true);
    const missing = get('/foundbite/doomed');
    expect([missing.status, json(missing)]).toEqual([404, { error: 'not_found', reason: 'deleted' }]);
    expect(json(get('/foundbite/doomed', `rev=${tombstone}`))).toEqual({ _id: 'doomed', _rev: tombstone, _deleted: true });
    const again = couch.handle(req('DELETE', '/foundbite/doomed', { as: AMARA, query: `rev=${tombstone}` }));
    expect([again.status, json(again).reason]).toEqual([404, 'deleted']);
    const recreated = json(put('/foundbite/doomed', { n: 2 }));
    expect(recreated.rev.startsWith('3-')).toBe(true);
  });

  test('a missing document is 404 missing', () => {
    const response = get('/foundbite/never-was');
    expect([response.status, json(response)]).toEqual([404, { error: 'not_found', reason: 'missing' }]);
    expect(couch.handle(req('DELETE', '/foundbite/never-was', { as: AMARA, query: `rev=1-${'a'.repeat(32)}` })).status).toBe(404);
  });

  test('new_edits=false stores the given revision and can create a conflict', () => {
    const rev = json(put('/foundbite/branchy', { side: 'a' })).rev;
    const other = `1-${'f'.repeat(32)}`;
    const response = put('/foundbite/branchy', { _rev: other, side: 'b' }, { query: 'new_edits=false' });
    expect([response.status, json(response).rev]).toEqual([201, other]);
    const doc = json(get('/foundbite/branchy', 'conflicts=true'));
    // Same position: the higher rev id wins.
    const winner = [rev, other].sort().at(-1);
    expect(doc._rev).toBe(winner);
    expect(doc._conflicts).toEqual([[rev, other].sort()[0]]);
    const row = json(get('/foundbite/_all_docs', q({ key: 'branchy', include_docs: true, conflicts: true }))).rows[0];
    expect(row.doc._conflicts).toHaveLength(1);
  });

  test('GET options: revs, deleted_conflicts, meta', () => {
    const withRevs = json(get('/foundbite/recipe:0001', 'revs=true'));
    expect(withRevs._revisions.start).toBe(Number(withRevs._rev.split('-')[0]));
    expect(withRevs._revisions.ids[0]).toBe(withRevs._rev.split('-')[1]);
    const meta = json(get('/foundbite/conflict-deleted-branch', 'meta=true'));
    expect(meta._deleted_conflicts).toHaveLength(1);
    expect(meta).not.toHaveProperty('_conflicts');
  });
});

describe('document ids and bodies', () => {
  test.each([
    ['/foundbite/_bogus', 'Only reserved document ids may start with underscore.'],
    ['/foundbite/_all_docsx', 'Only reserved document ids may start with underscore.'],
  ])('PUT %s is illegal_docid', (path, reason) => {
    const response = put(path, {});
    expect([response.status, json(response)]).toEqual([400, { error: 'illegal_docid', reason }]);
  });

  test('a body _id that is illegal fails the write', () => {
    const response = couch.handle(req('POST', '/foundbite', { as: AMARA, body: { _id: '_nope' } }));
    expect([response.status, json(response).error]).toEqual([400, 'illegal_docid']);
  });

  test('unknown special members and non-objects are rejected', () => {
    const special = put('/foundbite/x', { _foo: 1 });
    expect([special.status, json(special)]).toEqual([400, { error: 'doc_validation', reason: 'Bad special document member: _foo' }]);
    const array = put('/foundbite/x', [1]);
    expect([array.status, json(array)]).toEqual([400, { error: 'bad_request', reason: 'Document must be a JSON object' }]);
  });

  test('design documents need a db admin', () => {
    const member = put('/foundbite/_design/mine', { views: {} });
    expect([member.status, json(member)]).toEqual([403, { error: 'forbidden', reason: 'You are not a db or server admin.' }]);
    const admin = couch.handle(req('PUT', '/foundbite/_design/mine', { body: { views: {} } }));
    expect(admin.status).toBe(201);
    expect(json(get('/foundbite/_design/mine'))._id).toBe('_design/mine');
  });

  test('POST /{db} generates an id; batch=ok answers 202', () => {
    const response = couch.handle(req('POST', '/foundbite', { as: AMARA, body: { n: 1 } }));
    expect(response.status).toBe(201);
    expect(json(response).id).toMatch(/^[0-9a-f]{32}$/);
    const batch = couch.handle(req('POST', '/foundbite', { as: AMARA, body: { _id: 'batched' }, query: 'batch=ok' }));
    expect([batch.status, json(batch)]).toEqual([202, { ok: true, id: 'batched' }]);
  });
});

describe('_local documents', () => {
  test('are written without conflict checks, readable, and never in _all_docs', () => {
    const before = json(get('/foundbite/_all_docs', 'limit=0')).total_rows;
    expect(json(put('/foundbite/_local/mine', { a: 1 })).rev).toBe('0-1');
    expect(json(put('/foundbite/_local/mine', { a: 2 }, { query: 'rev=0-1' })).rev).toBe('0-2');
    expect(json(put('/foundbite/_local/mine', { a: 3 })).rev).toBe('0-1');
    expect(json(get('/foundbite/_local/mine'))).toEqual({ _id: '_local/mine', _rev: '0-1', a: 3 });
    const all = json(get('/foundbite/_all_docs'));
    expect(all.total_rows).toBe(before);
    expect(all.rows.some((row: { id: string }) => row.id.startsWith('_local/'))).toBe(false);
    expect(couch.handle(req('DELETE', '/foundbite/_local/mine', { as: AMARA })).status).toBe(200);
    expect(get('/foundbite/_local/mine').status).toBe(404);
  });
});

describe('POST /{db}/_bulk_docs', () => {
  test('interactive: a result per document, conflicts reported in place', () => {
    const rev = json(put('/foundbite/bulk-1', {})).rev;
    const response = couch.handle(req('POST', '/foundbite/_bulk_docs', {
      as: AMARA,
      body: { docs: [{ _id: 'bulk-1', _rev: rev, v: 2 }, { _id: 'bulk-1', v: 3 }, { _id: 'bulk-2' }, { v: 'no id' }] },
    }));
    expect(response.status).toBe(201);
    const results = json(response);
    expect(results[0]).toEqual({ ok: true, id: 'bulk-1', rev: expect.stringMatching(/^2-/) });
    expect(results[1]).toEqual({ id: 'bulk-1', error: 'conflict', reason: 'Document update conflict.' });
    expect(results[2]).toEqual({ ok: true, id: 'bulk-2', rev: expect.stringMatching(/^1-/) });
    expect(results[3].id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('new_edits:false answers [] and keeps every branch', () => {
    const docs = [
      { _id: 'rep', _rev: `1-${'1'.repeat(32)}`, v: 1 },
      { _id: 'rep', _revisions: { start: 2, ids: ['2'.repeat(32), '1'.repeat(32)] }, v: 2 },
      { _id: 'rep', _rev: `2-${'3'.repeat(32)}`, v: 3 },
      { _id: 'rep', _rev: `2-${'3'.repeat(32)}`, v: 'replayed' },
    ];
    const response = couch.handle(req('POST', '/foundbite/_bulk_docs', { as: AMARA, body: { docs, new_edits: false } }));
    expect([response.status, json(response)]).toEqual([201, []]);
    const doc = json(get('/foundbite/rep', 'conflicts=true'));
    expect(doc).toMatchObject({ _rev: `2-${'3'.repeat(32)}`, v: 3, _conflicts: [`2-${'2'.repeat(32)}`] });
  });

  test('request-level errors', () => {
    const cases: Array<[unknown, number, string, string]> = [
      [{}, 400, 'bad_request', 'POST body must include `docs` parameter.'],
      [{ docs: {} }, 400, 'bad_request', '`docs` parameter must be an array.'],
      [{ docs: [1] }, 400, 'bad_request', 'Document must be a JSON object'],
      [{ docs: [{ _id: '_x' }] }, 400, 'illegal_docid', 'Only reserved document ids may start with underscore.'],
      [{ docs: [{ _id: 'a' }], new_edits: false }, 400, 'bad_request', 'When `new_edits: false`, the document needs `_rev` or `_revisions` specified'],
      [{ docs: [], new_edits: 'no' }, 400, 'bad_request', '`new_edits` parameter must be a boolean.'],
    ];
    for (const [body, status, error, reason] of cases) {
      const response = couch.handle(req('POST', '/foundbite/_bulk_docs', { as: AMARA, body }));
      expect([response.status, json(response)]).toEqual([status, { error, reason }]);
    }
    const wrongType = couch.handle(req('POST', '/foundbite/_bulk_docs', { as: AMARA, body: '{"docs":[]}', headers: { 'content-type': 'text/plain' } }));
    expect(wrongType.status).toBe(415);
  });

  test('writes move update_seq and show in _all_docs', () => {
    const before = json(get('/foundbite'));
    couch.handle(req('POST', '/foundbite/_bulk_docs', { as: AMARA, body: { docs: [{ _id: 'zz-new-1' }, { _id: 'zz-new-2' }] } }));
    const after = json(get('/foundbite'));
    expect(parseInt(after.update_seq, 10)).toBe(parseInt(before.update_seq, 10) + 2);
    expect(after.doc_count).toBe(before.doc_count + 2);
    const rows = json(get('/foundbite/_all_docs', q({ startkey: 'zz-new', endkey: 'zz-new\uffff' }))).rows;
    expect(rows.map((row: { id: string }) => row.id)).toEqual(['zz-new-1', 'zz-new-2']);
  });
});

describe('databases', () => {
  test('create, seed, grant, read, delete', () => {
    const created = couch.handle(req('PUT', '/scratch', { headers: { host: 'db.local' } }));
    expect([created.status, json(created), created.headers['Location']]).toEqual([201, { ok: true }, 'https://db.local/scratch']);
    const exists = couch.handle(req('PUT', '/scratch'));
    expect([exists.status, json(exists)]).toEqual([412, { error: 'file_exists', reason: 'The database could not be created, the file already exists.' }]);
    // New databases are admin-only until their security object says otherwise.
    expect(couch.handle(req('GET', '/scratch/_all_docs', { as: AMARA })).status).toBe(403);
    expect(couch.handle(req('PUT', '/scratch/_security', { as: AMARA, body: {} })).status).toBe(403);
    const grant = couch.handle(req('PUT', '/scratch/_security', { body: { members: { names: ['amara'] } } }));
    expect(grant.status).toBe(200);
    expect(json(couch.handle(req('GET', '/scratch/_security', { as: AMARA })))).toEqual({ members: { names: ['amara'] } });
    expect(json(couch.handle(req('GET', '/scratch/_all_docs', { as: AMARA })))).toEqual({ total_rows: 0, offset: 0, rows: [] });
    expect(couch.handle(req('GET', '/scratch/_all_docs', { as: CARMEN })).status).toBe(403);
    const withRev = couch.handle(req('DELETE', '/scratch', { query: 'rev=1-x' }));
    expect(withRev.status).toBe(400);
    expect(couch.handle(req('DELETE', '/scratch')).status).toBe(200);
    const gone = couch.handle(req('DELETE', '/scratch'));
    expect([gone.status, json(gone).reason]).toEqual([404, 'Database does not exist.']);
  });

  test('illegal database names', () => {
    const response = couch.handle(req('PUT', '/Capital'));
    expect([response.status, json(response).error]).toEqual([400, 'illegal_database_name']);
    expect(json(response).reason).toMatch(/^Name: 'Capital'\. Only lowercase characters/);
  });
});
