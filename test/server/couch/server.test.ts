import { describe, expect, test } from 'vitest';
import { createCouch, defaultFixturesDir, loadFixtures } from '../../../src/server/couch/index.js';
import { AMARA, freshCouch, json, q, req } from './helpers.js';

const couch = freshCouch();

describe('GET /', () => {
  test('the welcome object, keys in CouchDB\'s order', () => {
    const response = couch.handle(req('GET', '/', { as: null }));
    expect([response.status, response.chunked]).toEqual([200, false]);
    const body = json(response);
    expect(Object.keys(body)).toEqual(['couchdb', 'version', 'git_sha', 'uuid', 'features', 'vendor']);
    expect(body).toMatchObject({ couchdb: 'Welcome', version: '3.4.2', vendor: { name: 'The Apache Software Foundation' } });
    expect(body.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(response.body.toString().endsWith('}\n')).toBe(true);
  });

  test('the version is configurable', () => {
    const other = createCouch({ fixtures: loadFixtures(defaultFixturesDir()), serverVersion: '3.3.3' });
    expect(json(other.handle(req('GET', '/'))).version).toBe('3.3.3');
  });
});

describe('GET and HEAD /{db}', () => {
  test('database info, keys in the order fabric merges them', () => {
    const body = json(couch.handle(req('GET', '/foundbite', { as: AMARA })));
    expect(Object.keys(body)).toEqual([
      'instance_start_time', 'db_name', 'purge_seq', 'update_seq', 'sizes', 'props', 'doc_del_count', 'doc_count',
      'disk_format_version', 'compact_running', 'cluster',
    ]);
    expect(body).toMatchObject({ db_name: 'foundbite', instance_start_time: '0', props: {}, compact_running: false });
    expect(body.update_seq).toMatch(/^\d+-g1AAAA/);
    expect(body.purge_seq).toMatch(/^0-g1AAAA/);
    expect(body.doc_del_count).toBeGreaterThanOrEqual(10);
    expect(Object.keys(body.sizes)).toEqual(['file', 'external', 'active']);
    expect(body.cluster).toEqual({ q: 2, n: 1, w: 1, r: 1 });
  });

  test('HEAD answers like GET with no body', () => {
    const head = couch.handle(req('HEAD', '/foundbite'));
    expect([head.status, head.body.length, head.chunked]).toEqual([200, 0, false]);
    const missing = couch.handle(req('HEAD', '/nope'));
    expect([missing.status, missing.body.length]).toEqual([404, 0]);
  });
});

describe('GET /_all_dbs', () => {
  test('streamed, sorted, and accepting range parameters', () => {
    const response = couch.handle(req('GET', '/_all_dbs'));
    expect([response.status, response.chunked, response.body.toString()]).toEqual([200, true, '["foundbite","inventory","ledger","orders"]\n']);
    expect(json(couch.handle(req('GET', '/_all_dbs', { query: 'descending=true&limit=2' })))).toEqual(['orders', 'ledger']);
    expect(json(couch.handle(req('GET', '/_all_dbs', { query: q({ startkey: 'i', endkey: 'l' }) })))).toEqual(['inventory']);
  });
});

describe('unknown paths', () => {
  test.each([
    ['/foundbite/no-such-doc'],
    ['/foundbite/_design_docs'],
    ['/foundbite/_design/recipes/_view/by_title'],
    ['/foundbite/recipe:0001/attachment.txt'],
    ['/_all_dbs/extra'],
  ])('GET %s is 404 missing', (path) => {
    const response = couch.handle(req('GET', path));
    expect([response.status, json(response)]).toEqual([404, { error: 'not_found', reason: 'missing' }]);
  });

  test('/_local without a name', () => {
    const response = couch.handle(req('GET', '/foundbite/_local'));
    expect([response.status, json(response)]).toEqual([400, { error: 'bad_request', reason: 'Invalid _local document id.' }]);
  });

  test('an escaped _design%2F is redirected to the canonical path', () => {
    const response = couch.handle(req('GET', '/foundbite/_design%2Frecipes', { headers: { host: 'localhost:5984' } }));
    expect([response.status, response.headers['Location']]).toEqual([301, 'https://localhost:5984/foundbite/_design/recipes']);
  });

  test('/_up is open to everyone', () => {
    expect(json(couch.handle(req('GET', '/_up', { as: null })))).toEqual({ status: 'ok', seeds: {} });
  });
});

describe('the Couch object', () => {
  test('accounts() and admin() describe the fixtures, and are copies', () => {
    const accounts = couch.accounts();
    expect(accounts.map((account) => account.name)).toEqual(['education', 'acme', 'globex']);
    expect(accounts[0]?.databases).toEqual(['foundbite']);
    expect(couch.admin()).toEqual({ name: 'admin', password: 'crosstalk-admin-pw' });
    accounts[0]!.users.length = 0;
    expect(couch.accounts()[0]?.users.length).toBeGreaterThan(0);
  });

  test('fixtures default to the repository\'s fixtures/ directory', () => {
    expect(json(createCouch().handle(req('GET', '/_all_dbs')))).toContain('foundbite');
  });

  test('each database of another tenant has at least 50 documents', () => {
    for (const db of ['orders', 'inventory', 'ledger']) {
      expect(json(couch.handle(req('GET', `/${db}`))).doc_count).toBeGreaterThanOrEqual(50);
    }
  });
});
