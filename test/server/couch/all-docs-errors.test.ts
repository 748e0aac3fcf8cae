import { describe, expect, test } from 'vitest';
import type { CouchResponse } from '../../../src/server/couch/index.js';
import { freshCouch, json, q, req, type RequestOptions } from './helpers.js';

const couch = freshCouch();
const BAD_JSON = ['bad_request', 'invalid UTF-8 JSON'] as const;

function expectError(response: CouchResponse, status: number, error: string, reason: string): void {
  expect({ status: response.status, body: json(response) }).toEqual({ status, body: { error, reason } });
  expect(response.chunked).toBe(false);
  expect(response.body.toString().endsWith('}\n')).toBe(true);
}

const get = (query: string) => couch.handle(req('GET', '/foundbite/_all_docs', { query }));
const post = (body: unknown, options: RequestOptions = {}) =>
  couch.handle(req('POST', '/foundbite/_all_docs', { body, ...options }));

describe('invalid JSON', () => {
  test.each([
    ['key=abc'],
    ['startkey=%22unterminated'],
    ['endkey={a:1}'],
    ['start_key=nope'],
    ['keys=[1,'],
    ['keys='],
    ['key=%22%FF%22'], // a JSON string holding invalid UTF-8
  ])('GET ?%s', (query) => expectError(get(query), 400, ...BAD_JSON));

  test('POST bodies that are not JSON, or not UTF-8', () => {
    expectError(post('{bad', { headers: { 'content-type': 'application/json' } }), 400, ...BAD_JSON);
    expectError(post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), { headers: { 'content-type': 'application/json' } }), 400, ...BAD_JSON);
    expectError(post('', { headers: { 'content-type': 'application/json', 'content-length': '0' } }), 400, ...BAD_JSON);
  });

  test('a POST without any body framing has no body at all', () => {
    const request = req('POST', '/foundbite/_all_docs', { headers: { 'content-type': 'application/json' } });
    expectError(couch.handle(request), 400, 'bad_request', 'Missing request body');
  });
});

describe('keys and body shape', () => {
  test.each(['keys=5', 'keys=%7B%22a%22%3A1%7D', 'keys=%22a%22', 'keys=null'])('GET ?%s is not an array', (query) => {
    expectError(get(query), 400, 'bad_request', '`keys` parameter must be an array.');
  });

  test.each([[[1, 2]], ['text'], [null], [3]])('a POST body of %j is not an object', (body) => {
    expectError(post(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }), 400, 'bad_request', 'Request body must be a JSON object');
  });

  test.each([['a'], [null], [{ a: 1 }], [1]])('a body keys member of %j is not an array', (keys) => {
    expectError(post({ keys }), 400, 'bad_request', '`keys` body member must be an array.');
  });

  test('keys together with key/startkey/endkey', () => {
    const reason = '`keys` is incompatible with `key`, `start_key` and `end_key`';
    expectError(get(q({ keys: ['a', 'b'], key: 'a' })), 400, 'query_parse_error', reason);
    expectError(get(q({ keys: ['a', 'b'], startkey: 'a' })), 400, 'query_parse_error', reason);
    expectError(get(q({ keys: ['a'], key: 'b' })), 400, 'query_parse_error', reason);
    expectError(post({ keys: ['a', 'b'], end_key: 'z' }), 400, 'query_parse_error', reason);
    expectError(post({ keys: ['a', 'b'] }, { query: q({ startkey: 'a' }) }), 400, 'query_parse_error', reason);
  });
});

describe('Content-Type', () => {
  test.each([['text/plain'], ['application/x-www-form-urlencoded'], ['Application/JSON'], ['']])('POST with %j is a 415', (contentType) => {
    const response = post('{}', { headers: { 'content-type': contentType } });
    expectError(response, 415, 'bad_content_type', 'Content-Type must be application/json');
  });

  test('parameters after the media type are fine', () => {
    expect(post('{"limit":1}', { headers: { 'content-type': 'application/json; charset=utf-8' } }).status).toBe(200);
  });
});

describe('parameter values', () => {
  test.each([
    ['descending=foo', 'Invalid boolean parameter: "foo"'],
    ['include_docs=1', 'Invalid boolean parameter: "1"'],
    ['inclusive_end=', 'Invalid boolean parameter: []'],
    ['conflicts=yes%22no', 'Invalid boolean parameter: "yes\\"no"'],
    ['descending=%C3%A9', 'Invalid boolean parameter: "é"'],
    ['descending=%F0%9F%98%80', 'Invalid boolean parameter: [240,159,152,128]'],
    ['limit=abc', 'Invalid value for integer: "abc"'],
    ['skip=1.5', 'Invalid value for integer: "1.5"'],
    ['limit=', 'Invalid value for integer: []'],
    ['limit=-1', 'Invalid value for positive integer: "-1"'],
    ['skip=-5', 'Invalid value for positive integer: "-5"'],
    ['stale=never', 'Invalid value for `stale`.'],
    ['stable=maybe', 'Invalid value for `stable`.'],
    ['update=soon', 'Invalid value for `update`.'],
    ['reduce=true', 'Reduce is invalid for map-only views.'],
    ['group=true', 'Invalid use of grouping on a map view.'],
    ['group_level=2', 'Invalid use of grouping on a map view.'],
    ['group=false&group_level=1', "Can't specify group=false and group_level>0 at the same time"],
    ['limit=576460752303423488', 'Limit is too large, must not exceed 576460752303423487'],
    ['partition=sensors', '`partition` parameter is not supported on this db'],
  ])('GET ?%s', (query, reason) => expectError(get(query), 400, 'query_parse_error', reason));

  test.each([
    [{ descending: 'yes' }, 'Invalid boolean parameter: "yes"'],
    [{ limit: '5' }, 'Invalid value for integer: <<"5">>'],
    [{ limit: 'é' }, 'Invalid value for integer: <<"é">>'],
    [{ limit: [1] }, 'Invalid value for integer: [1]'],
    [{ limit: { a: 1 } }, 'Invalid value for integer: {[{<<"a">>,1}]}'],
    [{ limit: 1.5 }, 'Invalid value for integer: 1.5'],
    [{ skip: true }, 'Invalid value for integer: true'],
    [{ limit: -1 }, 'Invalid value for positive integer: -1'],
    [{ skip: -20 }, 'Invalid value for positive integer: -20'],
  ])('POST %j', (body, reason) => expectError(post(body), 400, 'query_parse_error', reason));

  test('an illegal partition name is rejected before anything else', () => {
    expectError(get('partition=_sys'), 400, 'illegal_partition', 'Partition must not start with an underscore');
  });

  test('errors are reported in parameter order', () => {
    expectError(get('limit=x&descending=y'), 400, 'query_parse_error', 'Invalid value for integer: "x"');
    expectError(get('descending=y&limit=x'), 400, 'query_parse_error', 'Invalid boolean parameter: "y"');
  });
});

describe('missing database', () => {
  test.each([[{}], [{ as: null }]])('GET /nope/_all_docs (%j) is a 404 for everyone', (options) => {
    expectError(couch.handle(req('GET', '/nope/_all_docs', options)), 404, 'not_found', 'Database does not exist.');
  });
});

describe('/_all_docs/queries errors', () => {
  const queries = (body: unknown, options: RequestOptions = {}) =>
    couch.handle(req('POST', '/foundbite/_all_docs/queries', { body, ...options }));

  test('a body without queries, or with queries that is not an array', () => {
    expectError(queries({}), 400, 'bad_request', 'POST body must include `queries` parameter.');
    expectError(queries({ keys: [] }), 400, 'bad_request', 'POST body must include `queries` parameter.');
    expectError(queries({ queries: {} }), 400, 'bad_request', '`queries` member must be an array.');
    expectError(queries({ queries: 'x' }), 400, 'bad_request', '`queries` member must be an array.');
  });

  test('a body that is not an object, or not JSON', () => {
    expectError(queries('[1]', { headers: { 'content-type': 'application/json' } }), 400, 'bad_request', 'Request body must be a JSON object');
    expectError(queries('nope', { headers: { 'content-type': 'application/json' } }), 400, ...BAD_JSON);
  });

  test('a bad parameter in any query fails the whole request before anything is sent', () => {
    expectError(queries({ queries: [{}, { limit: -3 }] }), 400, 'query_parse_error', 'Invalid value for positive integer: -3');
    expectError(queries({ queries: [{ keys: 5 }] }), 400, 'query_parse_error', '`keys` must be an array of strings.');
  });
});

describe('405 with Allow', () => {
  test.each([
    ['PUT', '/foundbite/_all_docs', 'GET,HEAD,POST'],
    ['DELETE', '/foundbite/_all_docs', 'GET,HEAD,POST'],
    ['PATCH', '/foundbite/_all_docs', 'GET,HEAD,POST'],
    ['GET', '/foundbite/_all_docs/queries', 'POST'],
    ['PUT', '/foundbite/_all_docs/queries', 'POST'],
    ['GET', '/foundbite/_bulk_docs', 'POST'],
    ['PATCH', '/foundbite', 'DELETE,GET,HEAD,POST'],
    ['PATCH', '/foundbite/recipe:0001', 'DELETE,GET,HEAD,POST,PUT,COPY'],
    ['POST', '/foundbite/_security', 'PUT,GET'],
    ['POST', '/', 'GET,HEAD'],
    ['DELETE', '/_all_dbs', 'GET,HEAD'],
    ['PUT', '/_session', 'GET,HEAD,POST,DELETE'],
  ])('%s %s', (method, path, allow) => {
    const response = couch.handle(req(method, path, { body: {} }));
    expectError(response, 405, 'method_not_allowed', `Only ${allow} allowed`);
    expect(response.headers['Allow']).toBe(allow);
  });
});
