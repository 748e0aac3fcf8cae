import { describe, expect, test } from 'vitest';
import { createCouch, loadFixtures } from '../../../src/server/couch/index.js';
import { AMARA, NOW, freshCouch, json, req } from './helpers.js';

const couch = freshCouch();

/** The regular expressions @ibm-cloud/cloudant's CouchdbSessionAuthenticator applies to Set-Cookie. */
const SDK = { token: /AuthSession=([^;]*);/, expires: /Expires=([^;]*);/, maxAge: /Max-Age=([^;]*);/ };

function login(body: string, contentType: string, now = NOW) {
  return couch.handle(req('POST', '/_session', { as: null, body, now, headers: { 'content-type': contentType } }));
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const token = SDK.token.exec(String(setCookie))?.[1];
  expect(token).toBeTruthy();
  return `AuthSession=${token}`;
}

describe('POST /_session', () => {
  test('form login (nano.auth) answers ok/name/roles and sets the session cookie', () => {
    const response = login('name=amara&password=amara-pw', 'application/x-www-form-urlencoded');
    expect([response.status, json(response)]).toEqual([200, { ok: true, name: 'amara', roles: ['teacher'] }]);
    const setCookie = response.headers['Set-Cookie'] as string;
    expect(setCookie).toMatch(
      /^AuthSession=[A-Za-z0-9_-]+; Version=1; Expires=\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT; Max-Age=600; Secure; Path=\/; HttpOnly$/,
    );
    expect(response.auth.user).toBe('amara');
  });

  test('the Set-Cookie satisfies the IBM SDK\'s parser: every value followed by ";"', () => {
    const response = login(JSON.stringify({ username: 'amara', password: 'amara-pw' }), 'application/json');
    expect(response.status).toBe(200);
    const setCookie = response.headers['Set-Cookie'] as string;
    const token = SDK.token.exec(setCookie)?.[1] ?? '';
    expect(Buffer.from(token, 'base64url').toString('latin1')).toMatch(/^amara:[0-9A-F]+:/);
    expect(Date.parse(SDK.expires.exec(setCookie)?.[1] ?? '')).toBe(NOW + 600_000);
    expect(SDK.maxAge.exec(setCookie)?.[1]).toBe('600');
  });

  test('JSON login with name, or with name and username agreeing', () => {
    expect(login(JSON.stringify({ name: 'amara', password: 'amara-pw' }), 'application/json').status).toBe(200);
    expect(login(JSON.stringify({ name: 'amara', username: 'amara', password: 'amara-pw' }), 'application/json; charset=utf-8').status).toBe(200);
  });

  test('wrong credentials: 401 and a cleared cookie', () => {
    for (const body of ['name=amara&password=nope', 'name=ghost&password=x', 'name=amara']) {
      const response = login(body, 'application/x-www-form-urlencoded');
      expect([response.status, json(response)]).toEqual([401, { error: 'unauthorized', reason: 'Name or password is incorrect.' }]);
      expect(response.headers['Set-Cookie']).toMatch(/^AuthSession=; Version=1; Expires=[^;]+; Max-Age=600; Secure; Path=\/; HttpOnly$/);
    }
  });

  test('bad login bodies', () => {
    const bad = (body: string, type: string) => {
      const response = login(body, type);
      return [response.status, json(response)];
    };
    expect(bad('password=x', 'application/x-www-form-urlencoded')).toEqual([400, { error: 'bad_request', reason: 'request body must contain a username' }]);
    expect(bad('{"name":"a","username":"b","password":"x"}', 'application/json')).toEqual([400, { error: 'bad_request', reason: 'request body contains different usernames' }]);
    expect(bad('{nope', 'application/json')).toEqual([400, { error: 'bad_request', reason: 'invalid UTF-8 JSON' }]);
    expect(bad('name=amara&password=amara-pw', 'text/plain')).toEqual([
      415,
      { error: 'bad_content_type', reason: "Content-Type must be 'application/x-www-form-urlencoded' or 'application/json'" },
    ]);
  });
});

describe('cookie authentication', () => {
  const cookie = cookieOf(login('name=amara&password=amara-pw', 'application/x-www-form-urlencoded').headers['Set-Cookie']);
  const withCookie = (path: string, now: number, extra: Record<string, string> = {}) =>
    couch.handle(req('GET', path, { as: null, now, headers: { cookie: `other=1; ${cookie}`, ...extra } }));

  test('a fresh cookie authenticates, and GET /_session reports it', () => {
    const response = withCookie('/foundbite/_all_docs', NOW + 1000);
    expect([response.status, response.auth.user, response.auth.tenant]).toEqual([200, 'amara', 'education']);
    expect(response.headers['Set-Cookie']).toBeUndefined();
    expect(json(withCookie('/_session', NOW))).toEqual({
      ok: true,
      userCtx: { name: 'amara', roles: ['teacher'] },
      info: { authentication_handlers: ['cookie', 'default'], authenticated: 'cookie' },
    });
  });

  test('after 10% of its life the response renews the cookie', () => {
    const response = withCookie('/foundbite', NOW + 61_000);
    expect(response.status).toBe(200);
    const renewed = response.headers['Set-Cookie'] as string;
    expect(cookieOf(renewed)).not.toBe(cookie);
    expect(Date.parse(SDK.expires.exec(renewed)?.[1] ?? '')).toBe(NOW + 61_000 + 600_000);
  });

  test('an expired cookie leaves the request anonymous', () => {
    const response = withCookie('/foundbite/_all_docs', NOW + 600_000);
    expect([response.status, json(response).reason, response.auth.user]).toEqual([401, 'You are not authorized to access this db.', null]);
    expect(json(withCookie('/_session', NOW + 600_000)).userCtx).toEqual({ name: null, roles: [] });
  });

  test('a tampered cookie leaves the request anonymous; an undecodable one is a 400', () => {
    const raw = Buffer.from(cookie.slice('AuthSession='.length), 'base64url');
    const tampered = Buffer.from(raw.toString('latin1').replace('amara', 'bilal'), 'latin1').toString('base64url');
    const anonymous = couch.handle(req('GET', '/foundbite', { as: null, headers: { cookie: `AuthSession=${tampered}` } }));
    expect(anonymous.status).toBe(401);
    const malformed = couch.handle(req('GET', '/', { as: null, headers: { cookie: `AuthSession=${Buffer.from('garbage').toString('base64url')}` } }));
    expect([malformed.status, json(malformed)]).toEqual([400, { error: 'bad_request', reason: 'Malformed AuthSession cookie. Please clear your cookies.' }]);
  });

  test('a valid cookie wins over wrong Basic credentials', () => {
    const authorization = 'Basic ' + Buffer.from('amara:wrong').toString('base64');
    expect(withCookie('/foundbite', NOW, { authorization }).status).toBe(200);
  });

  test('a cookie signed with another secret is not accepted', () => {
    const other = createCouch({ fixtures: loadFixtures(new URL('../../../fixtures/', import.meta.url).pathname), cookieSecret: 'another' });
    expect(other.handle(req('GET', '/foundbite', { as: null, headers: { cookie } })).status).toBe(401);
  });
});

describe('GET and DELETE /_session', () => {
  test('anonymous', () => {
    expect(json(couch.handle(req('GET', '/_session', { as: null })))).toEqual({
      ok: true,
      userCtx: { name: null, roles: [] },
      info: { authentication_handlers: ['cookie', 'default'] },
    });
    const forced = couch.handle(req('GET', '/_session', { as: null, query: 'basic=true' }));
    expect([forced.status, json(forced)]).toEqual([401, { error: 'unauthorized', reason: 'Please login.' }]);
  });

  test('with Basic credentials the handler is "default"', () => {
    expect(json(couch.handle(req('GET', '/_session', { as: AMARA }))).info.authenticated).toBe('default');
    expect(json(couch.handle(req('GET', '/_session'))).userCtx).toEqual({ name: 'admin', roles: ['_admin'] });
  });

  test('logout clears the cookie', () => {
    const response = couch.handle(req('DELETE', '/_session', { as: null }));
    expect([response.status, json(response)]).toEqual([200, { ok: true }]);
    expect(response.headers['Set-Cookie']).toMatch(/^AuthSession=; Version=1; /);
  });
});
