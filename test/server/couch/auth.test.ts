import { describe, expect, test } from 'vitest';
import { ADMIN, AMARA, CARMEN, basic, freshCouch, json, req } from './helpers.js';

const couch = freshCouch();

describe('Basic authentication', () => {
  test.each([
    [{ name: 'amara', password: 'wrong' }],
    [{ name: 'nobody', password: 'x' }],
    [{ name: 'admin', password: '' }],
  ])('bad credentials %j are a 401 on any path, before routing', (as) => {
    for (const path of ['/', '/foundbite/_all_docs', '/nope', '/_session']) {
      const response = couch.handle(req('GET', path, { as }));
      expect([response.status, json(response)]).toEqual([401, { error: 'unauthorized', reason: 'Name or password is incorrect.' }]);
      expect(response.auth).toEqual({ user: null, tenant: null, roles: [] });
      expect(response.headers['WWW-Authenticate']).toBeUndefined();
    }
  });

  test('the admin is recorded with tenant _admin', () => {
    expect(couch.handle(req('GET', '/foundbite/_all_docs', { query: 'limit=0' })).auth).toEqual({ user: 'admin', tenant: '_admin', roles: ['_admin'] });
  });

  test('a member reads its own account\'s databases and is recorded with its tenant', () => {
    const response = couch.handle(req('GET', '/foundbite/_all_docs', { as: AMARA, query: 'limit=1' }));
    expect(response.status).toBe(200);
    expect(response.auth).toEqual({ user: 'amara', tenant: 'education', roles: ['teacher'] });
    for (const db of ['orders', 'inventory']) {
      expect(couch.handle(req('GET', `/${db}/_all_docs`, { as: CARMEN })).status).toBe(200);
    }
    expect(couch.handle(req('GET', '/ledger/_all_docs', { as: { name: 'eun-ji', password: 'eun-ji-pw' } })).status).toBe(200);
  });

  test('another account\'s database is a 403 forbidden, for reads and writes alike', () => {
    const forbidden = { error: 'forbidden', reason: 'You are not allowed to access this db.' };
    for (const [method, path, as] of [
      ['GET', '/foundbite/_all_docs', CARMEN],
      ['GET', '/foundbite', CARMEN],
      ['POST', '/orders/_all_docs', AMARA],
      ['PUT', '/orders/sneaky', AMARA],
      ['GET', '/ledger/_all_docs', { name: 'bilal', password: 'bilal-pw' }],
    ] as const) {
      const response = couch.handle(req(method, path, { as, body: {} }));
      expect([method, path, response.status, json(response)]).toEqual([method, path, 403, forbidden]);
    }
    expect(couch.handle(req('GET', '/foundbite/_all_docs', { as: CARMEN })).auth.tenant).toBe('acme');
  });

  test('anonymous on a protected database is a 401', () => {
    const response = couch.handle(req('GET', '/foundbite/_all_docs', { as: null }));
    expect([response.status, json(response)]).toEqual([401, { error: 'unauthorized', reason: 'You are not authorized to access this db.' }]);
    expect(response.auth).toEqual({ user: null, tenant: null, roles: [] });
  });

  test('anonymous may still read the welcome and _session', () => {
    expect(couch.handle(req('GET', '/', { as: null })).status).toBe(200);
    expect(couch.handle(req('GET', '/_session', { as: null })).status).toBe(200);
  });

  test('"_:_" and credentials without a colon count as no credentials', () => {
    for (const authorization of ['Basic ' + Buffer.from('_:_').toString('base64'), 'Basic ' + Buffer.from('amara').toString('base64'), 'Bearer x']) {
      const response = couch.handle(req('GET', '/foundbite', { as: null, headers: { authorization } }));
      expect(response.status).toBe(401);
      expect(json(response).reason).toBe('You are not authorized to access this db.');
    }
  });

  test('invalid base64 is a 400', () => {
    const response = couch.handle(req('GET', '/', { as: null, headers: { authorization: 'Basic !!!' } }));
    expect([response.status, json(response)]).toEqual([400, { error: 'bad_request', reason: 'Authorization header has invalid base64 value' }]);
  });

  test('_all_dbs is for server admins (admin_only_all_dbs = true): 401 for everyone else', () => {
    for (const as of [null, AMARA]) {
      const response = couch.handle(req('GET', '/_all_dbs', { as }));
      expect([response.status, json(response)]).toEqual([401, { error: 'unauthorized', reason: 'You are not a server admin.' }]);
    }
    expect(json(couch.handle(req('GET', '/_all_dbs', { as: ADMIN })))).toEqual(['foundbite', 'inventory', 'ledger', 'orders']);
  });

  test('creating and deleting databases is for server admins', () => {
    for (const method of ['PUT', 'DELETE']) {
      const response = couch.handle(req(method, '/foundbite2', { as: AMARA }));
      expect([response.status, json(response).reason]).toEqual([401, 'You are not a server admin.']);
    }
  });

  test('unknown _-paths are for server admins; for them they name no database', () => {
    expect(couch.handle(req('GET', '/_utils_nope', { as: AMARA })).status).toBe(401);
    const response = couch.handle(req('GET', '/_utils_nope'));
    expect([response.status, json(response)]).toEqual([404, { error: 'not_found', reason: 'Database does not exist.' }]);
  });

  test('a database that does not exist is a 404 before any access check', () => {
    for (const as of [null, AMARA, ADMIN]) {
      const response = couch.handle(req('GET', '/nope/_all_docs', { as }));
      expect([response.status, json(response).reason]).toEqual([404, 'Database does not exist.']);
    }
  });
});

describe('basic() helper sanity', () => {
  test('encodes name:password', () => {
    expect(basic({ name: 'a', password: 'b:c' })).toBe('Basic ' + Buffer.from('a:b:c').toString('base64'));
    // A password may contain colons: only the first one splits.
    expect(couch.handle(req('GET', '/foundbite', { as: { name: 'amara', password: 'amara-pw:' } })).status).toBe(401);
  });
});
