import { describe, expect, it } from 'vitest';
import { parseWorkerLine } from '../../../src/clients/exec/protocol.js';

describe('a worker line', () => {
  it('ready: its traits map onto ClientTraits', () => {
    const line = JSON.stringify({
      type: 'ready',
      session: 's1',
      traits: { maxSockets: null, pipelining: 1, reuses: false, retriesIdempotent: true },
      client: 'requests 2.34.2',
    });
    expect(parseWorkerLine(line)).toEqual({
      ok: true,
      message: {
        type: 'ready',
        session: 's1',
        traits: { maxSockets: null, pipelining: 1, reuses: false, retriesIdempotent: true },
        client: 'requests 2.34.2',
      },
    });
    expect(parseWorkerLine('{"type":"ready","session":"s2"}')).toEqual({
      ok: true,
      message: { type: 'ready', session: 's2', traits: undefined, client: undefined },
    });
  });

  it('result, error, closed and fatal', () => {
    expect(parseWorkerLine('{"type":"result","session":"s1","id":"r1-c0-o0","status":200,"requestId":"r1-c0-o0","body":"{}"}')).toEqual({
      ok: true,
      message: { type: 'result', session: 's1', id: 'r1-c0-o0', status: 200, requestId: 'r1-c0-o0', body: '{}' },
    });
    // An absent echoed id is null, as the contract has it.
    expect(parseWorkerLine('{"type":"result","session":"s1","id":"x","status":404,"body":""}')).toMatchObject({
      ok: true,
      message: { requestId: null },
    });
    expect(parseWorkerLine('{"type":"error","session":"s1","id":"x","code":"ConnectionError","message":"reset"}')).toEqual({
      ok: true,
      message: { type: 'error', session: 's1', id: 'x', code: 'ConnectionError', message: 'reset' },
    });
    expect(parseWorkerLine('{"type":"closed","session":"s1"}')).toEqual({ ok: true, message: { type: 'closed', session: 's1' } });
    expect(parseWorkerLine('{"type":"fatal","message":"no httpx"}')).toEqual({ ok: true, message: { type: 'fatal', message: 'no httpx' } });
  });

  it.each([
    ['Traceback (most recent call last):', 'it is not JSON'],
    ['[1,2]', 'it is not a JSON object'],
    ['{"type":"result","id":"x","status":200,"body":""}', 'it has no "session"'],
    ['{"type":"hello","session":"s1"}', 'its "type" is "hello", not one of ready, result, error, closed, fatal'],
    ['{"type":"result","session":"s1","status":200,"body":""}', 'a result without an "id" (the request id it answers)'],
    ['{"type":"result","session":"s1","id":"x","status":"200","body":""}', 'a result whose "status" is not an HTTP status (100–599)'],
    ['{"type":"result","session":"s1","id":"x","status":200}', 'a result without a "body" string'],
    ['{"type":"result","session":"s1","id":"x","status":200,"requestId":7,"body":""}', 'a result whose "requestId" is not a string or null'],
    ['{"type":"error","session":"s1","id":"x"}', 'an error without a "code"'],
    ['{"type":"ready","session":"s1","traits":{"maxSockets":0}}', '"traits.maxSockets" must be a whole number ≥ 1, or null for no bound'],
    ['{"type":"ready","session":"s1","traits":{"reuses":"yes"}}', '"traits.reuses" must be true or false'],
    ['{"type":"ready","session":"s1","traits":{"maxConnections":4}}', '"traits" has unknown field maxConnections'],
  ])('%s is no message: %s', (line, problem) => {
    expect(parseWorkerLine(line)).toEqual({ ok: false, problem });
  });
});
