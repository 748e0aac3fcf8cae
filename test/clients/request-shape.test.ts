import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/clients/contract.js';
import { basicAuthorization, headerText, queryString, requestShape } from '../../src/clients/request-shape.js';

const base: Operation = {
  kind: 'get',
  db: 'found/bite',
  params: {},
  requestId: 'req-7',
  credentials: { username: 'bob', password: 'pa:ss é' },
  signal: new AbortController().signal,
};

describe('requestShape', () => {
  it('puts a get in the query string: JSON for keys and bounds, plain text for the rest, in order', () => {
    const shape = requestShape({
      ...base,
      params: { startkey: 'a b', limit: 2, descending: true, keys: ['x', 'é'], startkey_docid: 'doc 1', skip: undefined },
    });
    expect(shape.method).toBe('GET');
    expect(shape.body).toBeNull();
    expect(shape.path).toBe(
      '/found%2Fbite/_all_docs?startkey=%22a%20b%22&limit=2&descending=true&keys=%5B%22x%22%2C%22%C3%A9%22%5D' +
        '&startkey_docid=doc%201',
    );
    expect(shape.headers).toEqual({
      accept: 'application/json',
      authorization: basicAuthorization(base.credentials),
      'x-couch-request-id': 'req-7',
    });
  });

  it('JSON-encodes a string key even when it looks like a number', () => {
    expect(queryString({ key: '10', end_key: 2, limit: '3' })).toBe('?key=%2210%22&end_key=2&limit=3');
    expect(queryString({})).toBe('');
  });

  it('sends post params as the JSON body and queries as {"queries": [...]}', () => {
    const post = requestShape({ ...base, kind: 'post', params: { keys: ['a'], include_docs: true } });
    expect(post).toMatchObject({ method: 'POST', path: '/found%2Fbite/_all_docs', body: '{"keys":["a"],"include_docs":true}' });
    expect(post.headers['content-type']).toBe('application/json');
    const queries = requestShape({ ...base, kind: 'queries', params: { queries: [{ limit: 1 }, { keys: ['b'] }] } });
    expect(queries).toMatchObject({ method: 'POST', path: '/found%2Fbite/_all_docs/queries' });
    expect(JSON.parse(queries.body ?? '')).toEqual({ queries: [{ limit: 1 }, { keys: ['b'] }] });
  });

  it('encodes Basic credentials as UTF-8, colons in the password included', () => {
    const decoded = Buffer.from(basicAuthorization(base.credentials).slice('Basic '.length), 'base64').toString('utf8');
    expect(decoded).toBe('bob:pa:ss é');
  });

  it('reads a response header as its first value or null', () => {
    expect(headerText(undefined)).toBeNull();
    expect(headerText(['a', 'b'])).toBe('a');
    expect(headerText('c')).toBe('c');
  });
});
