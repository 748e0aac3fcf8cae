import { describe, expect, test } from 'vitest';
import { byteOrder, fixtureLiveIds, freshCouch, ids, json, q, req } from './helpers.js';

const couch = freshCouch();
const all = fixtureLiveIds('foundbite');
const total = all.length;
const before = (key: string): number => all.filter((id) => Buffer.compare(Buffer.from(id), Buffer.from(key)) < 0).length;
const after = (key: string): number => all.filter((id) => Buffer.compare(Buffer.from(id), Buffer.from(key)) > 0).length;

function allDocs(params: Record<string, unknown>) {
  const response = couch.handle(req('GET', '/foundbite/_all_docs', { query: q(params) }));
  expect(response.status).toBe(200);
  return { response, body: json(response), ids: ids(response) };
}

describe('total_rows', () => {
  test('counts live documents, design docs included, _local and deleted excluded', () => {
    const { body } = allDocs({ limit: 0 });
    expect(body.total_rows).toBe(total);
    expect(json(couch.handle(req('GET', '/foundbite'))).doc_count).toBe(total);
    expect(all.filter((id) => id.startsWith('_design/')).length).toBeGreaterThanOrEqual(3);
  });
});

describe('offset', () => {
  test('ascending: the number of ids before startkey (a deleted startkey still counts its position)', () => {
    const { body, ids: rows } = allDocs({ startkey: 'recipe:0100', limit: 2 });
    expect(body.offset).toBe(before('recipe:0100'));
    expect(rows).toEqual(['recipe:0101', 'recipe:0102']);
  });

  test('skip is added to the offset and skips rows', () => {
    const { body, ids: rows } = allDocs({ startkey: 'recipe:0020', skip: 5, limit: 3 });
    const start = before('recipe:0020');
    expect(body.offset).toBe(start + 5);
    expect(rows).toEqual(all.slice(start + 5, start + 8));
  });

  test('descending: the number of ids after startkey', () => {
    const { body, ids: rows } = allDocs({ startkey: 'recipe:0050', descending: true, limit: 2 });
    expect(body.offset).toBe(after('recipe:0050'));
    expect(rows).toEqual(['recipe:0050', 'recipe:0049']);
  });

  test('descending with skip and no startkey', () => {
    const { body, ids: rows } = allDocs({ descending: true, skip: 3, limit: 2 });
    expect(body.offset).toBe(3);
    expect(rows).toEqual([...all].reverse().slice(3, 5));
  });

  test('is capped at total_rows when skip runs past the end', () => {
    const { body, ids: rows } = allDocs({ skip: 100000 });
    expect(body.offset).toBe(total);
    expect(rows).toEqual([]);
  });

  test('a startkey past every id gives offset = total_rows and no rows', () => {
    const { body, ids: rows } = allDocs({ startkey: '\u{10FFFF}\u{10FFFF}' });
    expect([body.offset, rows]).toEqual([total, []]);
  });

  test('limit=0 still reports the offset', () => {
    const { body, ids: rows } = allDocs({ startkey: 'b', limit: 0 });
    expect([body.offset, rows]).toEqual([before('b'), []]);
  });
});

describe('ranges', () => {
  test('startkey..endkey is inclusive by default, exclusive with inclusive_end=false', () => {
    expect(allDocs({ startkey: 'recipe:0010', endkey: 'recipe:0012' }).ids).toEqual(['recipe:0010', 'recipe:0011', 'recipe:0012']);
    expect(allDocs({ startkey: 'recipe:0010', endkey: 'recipe:0012', inclusive_end: false }).ids).toEqual(['recipe:0010', 'recipe:0011']);
  });

  test('descending ranges run from startkey down to endkey', () => {
    expect(allDocs({ startkey: 'recipe:0012', endkey: 'recipe:0010', descending: true }).ids).toEqual(['recipe:0012', 'recipe:0011', 'recipe:0010']);
    expect(allDocs({ startkey: 'recipe:0012', endkey: 'recipe:0010', descending: true, inclusive_end: false }).ids).toEqual(['recipe:0012', 'recipe:0011']);
  });

  test('start_key/end_key spellings are the same parameters', () => {
    expect(allDocs({ start_key: 'recipe:0010', end_key: 'recipe:0011' }).ids).toEqual(['recipe:0010', 'recipe:0011']);
  });

  test('a reversed range is not an error: 200, no rows, offset where the range starts', () => {
    const forward = allDocs({ startkey: 'b', endkey: 'a' });
    expect([forward.body.offset, forward.ids]).toEqual([before('b'), []]);
    const backward = allDocs({ startkey: 'a', endkey: 'b', descending: true });
    expect([backward.body.offset, backward.ids]).toEqual([after('a'), []]);
  });

  test('deleted documents are skipped by the range path', () => {
    const rows = allDocs({ startkey: '6', endkey: '8' }).ids;
    const expected = ['6', ...Array.from({ length: 10 }, (_, n) => `6${n}`), ...Array.from({ length: 10 }, (_, n) => `7${n}`), '8'];
    expect(rows).toEqual(byteOrder(expected));
    expect(rows).not.toContain('7');
  });

  test('key=K is startkey=endkey=K; a later startkey overrides half of it', () => {
    expect(allDocs({ key: 'recipe:0042' }).ids).toEqual(['recipe:0042']);
    expect(allDocs({ key: 'recipe:0013' }).ids).toEqual([]); // deleted
    const response = couch.handle(req('GET', '/foundbite/_all_docs', { query: `${q({ key: 'recipe:0003' })}&${q({ startkey: 'recipe:0001' })}` }));
    expect(ids(response)).toEqual(['recipe:0001', 'recipe:0002', 'recipe:0003']);
  });

  test('startkey_docid/endkey_docid are raw strings used when startkey/endkey are absent', () => {
    const response = couch.handle(req('GET', '/foundbite/_all_docs', { query: 'startkey_docid=recipe:0001&endkey_docid=recipe:0003' }));
    expect(ids(response)).toEqual(['recipe:0001', 'recipe:0002', 'recipe:0003']);
    const ignored = couch.handle(req('GET', '/foundbite/_all_docs', { query: `${q({ startkey: 'recipe:0002', endkey: 'recipe:0003' })}&startkey_docid=recipe:0001` }));
    expect(ids(ignored)).toEqual(['recipe:0002', 'recipe:0003']);
    const aliases = couch.handle(req('GET', '/foundbite/_all_docs', { query: 'start_key_doc_id=recipe:0001&end_key_doc_id=recipe:0002' }));
    expect(ids(aliases)).toEqual(['recipe:0001', 'recipe:0002']);
  });

  test('non-string keys sort before every string id', () => {
    expect(allDocs({ startkey: 1, endkey: 1 })).toMatchObject({ ids: [], body: { offset: 0 } });
    expect(allDocs({ startkey: null, limit: 1 }).ids).toEqual([all[0]]);
    expect(allDocs({ endkey: {} }).ids).toEqual([]);
    expect(allDocs({ startkey: [], endkey: 'recipe:0001' }).ids[0]).toBe(all[0]);
    const descending = allDocs({ startkey: 1, descending: true });
    expect([descending.body.offset, descending.ids]).toEqual([total, []]);
  });
});

describe('documents in rows', () => {
  test('a row is id, key, value.rev; include_docs adds the doc with _id and _rev first', () => {
    const { body } = allDocs({ key: 'recipe:0001', include_docs: true });
    const [row] = body.rows;
    expect(Object.keys(row)).toEqual(['id', 'key', 'value', 'doc']);
    expect(row.value.rev).toMatch(/^\d+-[0-9a-f]{32}$/);
    expect(Object.keys(row.doc).slice(0, 2)).toEqual(['_id', '_rev']);
    expect(row.doc).toMatchObject({ _id: 'recipe:0001', _rev: row.value.rev, type: 'recipe' });
    expect(allDocs({ key: 'recipe:0001' }).body.rows[0]).not.toHaveProperty('doc');
  });

  test('conflicts=true adds _conflicts to conflicted docs only, and only with include_docs', () => {
    const { body } = allDocs({ startkey: 'conflict', endkey: 'conflicted', include_docs: true, conflicts: true });
    const byId = Object.fromEntries(body.rows.map((row: { id: string }) => [row.id, row]));
    const conflicted = byId['conflicted'];
    expect(conflicted.doc._conflicts).toHaveLength(2);
    expect(conflicted.doc._conflicts).not.toContain(conflicted.value.rev);
    expect(Object.keys(conflicted.doc).at(-1)).toBe('_conflicts');
    // Its other branch is deleted: a deleted leaf is not a conflict.
    expect(byId['conflict-deleted-branch'].doc).not.toHaveProperty('_conflicts');
    expect(allDocs({ key: 'conflicted', include_docs: true }).body.rows[0].doc).not.toHaveProperty('_conflicts');
    expect(allDocs({ key: 'conflicted', conflicts: true }).body.rows[0]).not.toHaveProperty('doc');
  });

  test('the winner of a conflict is the highest revision', () => {
    const { body } = allDocs({ key: 'conflicted', include_docs: true, conflicts: true });
    const [row] = body.rows;
    const position = (rev: string): number => Number(rev.split('-')[0]);
    for (const loser of row.doc._conflicts as string[]) {
      expect(position(loser) < position(row.value.rev) || loser < row.value.rev).toBe(true);
    }
  });

  test('update_seq=true adds an opaque sequence between offset and rows', () => {
    const { body, response } = allDocs({ update_seq: true, limit: 1 });
    expect(Object.keys(body)).toEqual(['total_rows', 'offset', 'update_seq', 'rows']);
    expect(body.update_seq).toMatch(/^\d+-g1AAAA[A-Za-z0-9_-]+$/);
    expect(body.update_seq).toBe(json(couch.handle(req('GET', '/foundbite'))).update_seq);
    expect(response.body.toString()).toContain('"update_seq":"');
  });

  test('parameters without effect on _all_docs are accepted', () => {
    const baseline = allDocs({ limit: 3 }).ids;
    for (const extra of ['attachments=true', 'att_encoding_info=true', 'stale=ok', 'stale=update_after', 'stable=true', 'update=lazy', 'update=false', 'sorted=false', 'callback=x', 'unknown=1', 'reduce=false', 'group=false']) {
      const response = couch.handle(req('GET', '/foundbite/_all_docs', { query: `limit=3&${extra}` }));
      expect([extra, response.status, ids(response)]).toEqual([extra, 200, baseline]);
    }
  });

  test('booleans are case-insensitive; later query parameters override earlier ones', () => {
    expect(allDocs({ descending: 'TRUE', limit: 1 }).ids).toEqual([all.at(-1)]);
    const response = couch.handle(req('GET', '/foundbite/_all_docs', { query: 'limit=1&descending=true&descending=false&limit=2' }));
    expect(ids(response)).toEqual(all.slice(0, 2));
  });
});
