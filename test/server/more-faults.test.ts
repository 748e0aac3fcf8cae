import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SocketRecord } from '../../src/history/records.js';
import { FAULT } from '../../src/scenario/fault-names.js';
import { startMockServer, type MockServer } from '../../src/server/index.js';
import type { ConnectionPlan, PlanSource, ResponsePlan } from '../../src/server/response-plan.js';
import { parseHead, rawRequest, responseComplete } from './support/raw-tls.js';
import { rawSession, type RawSession } from './support/raw-session.js';

/** The wire behaviour of each fault of issue #11, byte by byte, against the server alone. */
const DB = 'foundbite';
let server: MockServer;
let authorization: string;
const plans = new Map<string, ResponsePlan>();
const connectionPlans: ConnectionPlan[] = [];
const open: RawSession[] = [];

beforeAll(async () => {
  server = await startMockServer();
  const user = server.couch.accounts().find((account) => account.databases.includes(DB))!.users[0]!;
  authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
  server.setPlans(planSource());
});

function planSource(): PlanSource {
  return { planFor: (id) => (id === undefined ? undefined : plans.get(id)), connectionPlanFor: () => connectionPlans.shift() };
}
afterEach(() => {
  for (const session of open.splice(0)) session.destroy();
  plans.clear();
  connectionPlans.length = 0;
});
afterAll(async () => {
  await server?.close();
});

function session(): RawSession {
  const s = rawSession(server.port, server.ca);
  open.push(s);
  return s;
}

const get = (id: string) => rawRequest('GET', `/${DB}/_all_docs?limit=2`, id, { headers: { authorization } });
const post = (id: string, extra: Record<string, string> = {}) =>
  rawRequest('POST', `/${DB}/_all_docs`, id, {
    headers: { authorization, 'content-type': 'application/json', ...extra },
    body: '{"limit":1}',
  });

/** The server's records of the socket `s` is on, once it has ended. */
async function socketOf(s: RawSession): Promise<SocketRecord> {
  const deadline = performance.now() + 3_000;
  for (;;) {
    const record = server.recorder.snapshot().sockets.find((socket) => socket.remotePort === s.localPort());
    if ((record !== undefined && record.end !== 'open') || performance.now() > deadline) return record!;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const requestsOf = (id: string) => server.recorder.snapshot().requests.filter((r) => r.requestId.startsWith(id));

describe('stray bytes on a kept-alive socket', () => {
  it.each(['duplicate', 'unsolicited'] as const)('a %s stray response comes in the same read as the end of the response', async (stray) => {
    const id = `stray-${stray}`;
    plans.set(id, { stray, faults: [FAULT.strayResponse] });
    const s = session();
    await s.ready;
    s.write(get(id));
    expect(await s.until((text) => text.split('HTTP/1.1 200').length === 3)).toBe(true);
    // The read that ends the real response also carries the whole stray: the client has both before it can write.
    const last = s.reads[s.reads.length - 1]!.toString('latin1');
    expect(last).toContain('HTTP/1.1 200');
    const second = s.text().slice(s.text().indexOf('HTTP/1.1 200', 1));
    const head = parseHead(second);
    const first = parseHead(s.text());
    expect(head.headers.get('x-couch-request-id')).toBe(stray === 'duplicate' ? id : `${id}-stray`);
    if (stray === 'duplicate') expect(head.rest).toBe(first.rest.slice(0, Number(first.headers.get('content-length'))));
    expect(responseComplete(second)).toBe(true);
    expect(requestsOf(id)).toMatchObject([{ outcome: 'complete', faults: [FAULT.strayResponse] }]);
  });
});

describe('silence longer than the client timeout', () => {
  it('no-response: reads the request, says nothing, then closes', async () => {
    plans.set('silent-a', { silenceMs: 150, faults: [FAULT.noResponse] });
    const s = session();
    await s.ready;
    const sent = performance.now();
    s.write(get('silent-a'));
    expect(await s.ended()).toBe('end');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(140);
    expect(s.text()).toBe('');
    expect(await socketOf(s)).toMatchObject({ end: 'server-close', endDetail: 'fault:no-response' });
    expect(requestsOf('silent-a')).toMatchObject([{ outcome: 'closed-early', faults: [FAULT.noResponse] }]);
  });

  it('stalled-body: the head and some bytes, nothing more until the close', async () => {
    plans.set('stall-a', { silenceMs: 150, stallAtByte: 20, faults: [FAULT.stalledBody] });
    const s = session();
    await s.ready;
    s.write(get('stall-a'));
    expect(await s.until((text) => text.includes('\r\n\r\n'))).toBe(true);
    expect(await s.ended()).toBe('end');
    const { rest, headers } = parseHead(s.text());
    // Chunked framing: the 20 body bytes come with their chunk framing, and no last chunk.
    expect(headers.get('transfer-encoding')).toBe('chunked');
    expect(rest).not.toMatch(/\r\n0\r\n\r\n$/);
    expect(requestsOf('stall-a')).toMatchObject([{ bytes: 20, outcome: 'closed-early' }]);
    expect(await socketOf(s)).toMatchObject({ endDetail: 'fault:stalled-body' });
  });
});

describe('fail the first N attempts, then succeed', () => {
  it.each([
    [503, 'complete', 503],
    ['reset', 'reset', 0],
    ['close', 'closed-early', 0],
  ] as const)('with %s: two failed attempts of the id, then the answer', async (how, outcome, status) => {
    const id = `ff-${how}`;
    plans.set(id, { failFirst: { attempts: 2, with: how }, faults: [FAULT.failFirst] });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const s = session();
      await s.ready;
      s.write(get(id));
      await s.until(responseComplete);
      if (attempt === 3) expect(parseHead(s.text()).status).toBe(200);
      else if (how === 503) expect(parseHead(s.text()).status).toBe(503);
      else expect(s.text()).toBe('');
      s.destroy();
      await socketOf(s);
    }
    const records = requestsOf(id);
    expect(records.map((r) => r.faults)).toEqual([[FAULT.failFirst], [FAULT.failFirst], []]);
    expect(records.slice(0, 2).map((r) => [r.outcome, r.status])).toEqual([[outcome, status], [outcome, status]]);
    expect(records[2]).toMatchObject({ outcome: 'complete', status: 200 });
  });

  it('counts afresh under a new plan source: a replayed run meets its first failures again', async () => {
    const id = 'ff-replayed';
    plans.set(id, { failFirst: { attempts: 1, with: 503 }, faults: [FAULT.failFirst] });
    const statuses: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      // What a run does as it begins: its plans go in.
      server.setPlans(planSource());
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        const s = session();
        await s.ready;
        s.write(get(id));
        await s.until(responseComplete);
        statuses.push(parseHead(s.text()).status);
        s.destroy();
        await socketOf(s);
      }
    }
    expect(statuses).toEqual([503, 200, 503, 200]);
  });
});

describe('request body trouble', () => {
  it.each([
    ['close', 'end', 'server-close'],
    ['reset', 'ECONNRESET', 'reset'],
  ] as const)('request-body-cut %s: no answer, and none of the body read', async (cut, ending, end) => {
    plans.set(`cut-${cut}`, { cutRequestBody: cut, faults: [FAULT.requestBodyCut] });
    const s = session();
    await s.ready;
    s.write(post(`cut-${cut}`));
    expect(await s.ended()).toBe(ending);
    expect(s.text()).toBe('');
    expect(await socketOf(s)).toMatchObject({ end, endDetail: 'fault:request-body-cut' });
  });

  it('request-body-cut leaves a request without a body alone', async () => {
    plans.set('cut-get', { cutRequestBody: 'reset', faults: [FAULT.requestBodyCut] });
    const s = session();
    await s.ready;
    s.write(get('cut-get'));
    expect(await s.until(responseComplete)).toBe(true);
    expect(requestsOf('cut-get')).toMatchObject([{ status: 200, faults: [] }]);
  });

  it('expect-100-final: a 503 without a 100; the next request sent in place of the body is recorded as read-as-body', async () => {
    plans.set('exp-a', { expectFinal: true, faults: [FAULT.expectFinal] });
    const s = session();
    await s.ready;
    const head = post('exp-a', { expect: '100-continue' });
    s.write(head.slice(0, head.indexOf('\r\n\r\n') + 4));
    expect(await s.until(responseComplete)).toBe(true);
    expect(s.text()).not.toContain('100 Continue');
    expect(parseHead(s.text()).status).toBe(503);
    expect(parseHead(s.text()).headers.get('connection')).toBe('keep-alive');
    // The body is skipped and the socket reused: the server reads this request as the withheld body.
    s.write(post('exp-b'));
    await s.ended();
    expect(requestsOf('exp-b')).toMatchObject([{ outcome: 'rejected', faults: [FAULT.readAsBody], method: 'POST' }]);
    expect(requestsOf('exp-a')).toMatchObject([{ status: 503, faults: [FAULT.expectFinal] }]);
  });

  it('expect-100-final: a client that sends the body after the final status keeps a working socket', async () => {
    plans.set('exp-c', { expectFinal: true, faults: [FAULT.expectFinal] });
    const s = session();
    await s.ready;
    const request = post('exp-c', { expect: '100-continue' });
    const split = request.indexOf('\r\n\r\n') + 4;
    s.write(request.slice(0, split));
    await s.until(responseComplete);
    s.write(request.slice(split));
    s.write(get('exp-d'));
    expect(await s.until((text) => text.split('HTTP/1.1 ').length === 3 && responseComplete(text.slice(text.lastIndexOf('HTTP/1.1 '))))).toBe(true);
    expect(requestsOf('exp-d')).toMatchObject([{ status: 200, faults: [] }]);
  });

  it('expect-100-final leaves a request without the expectation alone', async () => {
    plans.set('exp-e', { expectFinal: true, faults: [FAULT.expectFinal] });
    const s = session();
    await s.ready;
    s.write(post('exp-e'));
    expect(await s.until(responseComplete)).toBe(true);
    expect(requestsOf('exp-e')).toMatchObject([{ status: 200, faults: [] }]);
  });
});

describe('malformed responses', () => {
  it('bad-chunk-size: valid chunks, then a chunk-size line that is not hexadecimal, then the close', async () => {
    plans.set('bad-a', { malformed: { kind: 'bad-chunk-size', atByte: 10 }, faults: [FAULT.badChunkSize] });
    const s = session();
    await s.ready;
    s.write(get('bad-a'));
    expect(await s.ended()).toBe('end');
    const { headers, rest } = parseHead(s.text());
    expect(headers.get('transfer-encoding')).toBe('chunked');
    expect(rest).toMatch(/^a\r\n.{10}\r\nzz\r\n/s);
    expect(await socketOf(s)).toMatchObject({ endDetail: 'fault:bad-chunk-size' });
  });

  it('garbage-then-close: bytes that are not HTTP, the same for the same id, then the close', async () => {
    const texts: string[] = [];
    for (const round of [1, 2]) {
      plans.set('junk-a', { malformed: { kind: 'garbage', bytes: 100 }, faults: [FAULT.garbageThenClose] });
      const s = session();
      await s.ready;
      s.write(get('junk-a'));
      expect(await s.ended(), `round ${round}`).toBe('end');
      texts.push(s.text());
    }
    expect(texts[0]).toHaveLength(100);
    expect(texts[0]!.startsWith('H')).toBe(false);
    expect(texts[1]).toBe(texts[0]);
  });

  it('empty-response: the close, without a byte', async () => {
    plans.set('empty-a', { closeBeforeAnswer: true, faults: [FAULT.emptyResponse] });
    const s = session();
    await s.ready;
    s.write(get('empty-a'));
    expect(await s.ended()).toBe('end');
    expect(s.text()).toBe('');
    expect(await socketOf(s)).toMatchObject({ endDetail: 'fault:empty-response' });
  });

  it('short-body: a Content-Length longer than the body sent, then the FIN; the digest is of the body announced', async () => {
    plans.set('short-a', { malformed: { kind: 'short-body', missing: 7 }, faults: [FAULT.shortBody] });
    const s = session();
    await s.ready;
    s.write(get('short-a'));
    expect(await s.ended()).toBe('end');
    const { headers, rest } = parseHead(s.text());
    expect(Number(headers.get('content-length'))).toBe(Buffer.byteLength(rest, 'latin1') + 7);
    expect(requestsOf('short-a')).toMatchObject([{ outcome: 'closed-early', bytes: Buffer.byteLength(rest, 'latin1') }]);
  });
});

describe('bodies past a read buffer', () => {
  it('large-body pads a success body to the size asked, still the same JSON', async () => {
    plans.set('big-a', { padBodyTo: 70_000, splitAt: [1_000, 40_000], faults: [FAULT.largeBody] });
    const s = session();
    await s.ready;
    s.write(get('big-a'));
    expect(await s.until(responseComplete)).toBe(true);
    const { rest } = parseHead(s.text());
    const body = rest.replace(/\r\n[0-9a-f]+\r\n/g, '').replace(/^[0-9a-f]+\r\n/, '');
    expect(Buffer.byteLength(body.replace(/\r\n$/, ''), 'latin1')).toBeGreaterThanOrEqual(70_000);
    expect((JSON.parse(body) as { rows: unknown[] }).rows.length).toBe(2);
  });
});

describe('Keep-Alive hints at the boundary', () => {
  it('keep-alive-max: max=N counted down on every response, and the FIN right after the N-th that follows', async () => {
    plans.set('ka-a', { keepAliveMax: 2, faults: [FAULT.keepAliveMax] });
    const s = session();
    await s.ready;
    const hints: string[] = [];
    for (const id of ['ka-a', 'ka-b', 'ka-c']) {
      const before = s.text().length;
      s.write(get(id));
      expect(await s.until((text) => responseComplete(text.slice(before)))).toBe(true);
      hints.push(parseHead(s.text().slice(before)).headers.get('keep-alive') ?? '');
    }
    expect(hints).toEqual(['timeout=5, max=2', 'timeout=5, max=1', 'timeout=5, max=0']);
    expect(await s.ended()).toBe('end');
    expect(await socketOf(s)).toMatchObject({ end: 'server-close', endDetail: 'fault:keep-alive-max', requestCount: 3 });
  });

  it('keep-alive-timeout: timeout=1, and the close when the socket has been idle that long', async () => {
    plans.set('kat-a', { keepAliveHintS: 1, idleCloseMs: 1000, faults: [FAULT.keepAliveTimeout] });
    const s = session();
    await s.ready;
    s.write(get('kat-a'));
    await s.until(responseComplete);
    const answered = performance.now();
    expect(parseHead(s.text()).headers.get('keep-alive')).toBe('timeout=1');
    expect(await s.ended()).toBe('end');
    expect(performance.now() - answered).toBeGreaterThanOrEqual(950);
    expect(await socketOf(s)).toMatchObject({ endDetail: 'fault:keep-alive-timeout' });
  });
});

describe('TLS and connect faults, recorded on the socket', () => {
  const plan = (fault: ConnectionPlan['fault'], name: string): ConnectionPlan => ({ fault, faults: [name], forRequestId: 'op-1' });

  it('tls-alert: the ClientHello is answered with a fatal handshake_failure alert', async () => {
    connectionPlans.push(plan({ kind: 'tls-alert' }, FAULT.tlsAlert));
    const s = session();
    const error = await s.ready;
    expect((error as NodeJS.ErrnoException).code).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
    expect(await socketOf(s)).toMatchObject({
      handshakeAt: null,
      end: 'server-close',
      endDetail: 'fault:tls-alert',
      faults: [FAULT.tlsAlert],
      faultFor: 'op-1',
    });
  });

  it('tls-stall: the handshake waits, then completes and serves', async () => {
    connectionPlans.push(plan({ kind: 'tls-stall', stallMs: 120 }, FAULT.tlsStall));
    const started = performance.now();
    const s = session();
    expect(await s.ready).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    s.write(get('after-stall'));
    expect(await s.until(responseComplete)).toBe(true);
  });

  it('accept-silent: no TLS byte for the silence, then the close; a hold, not a handshake under way', async () => {
    connectionPlans.push(plan({ kind: 'accept-silent', silenceMs: 200 }, FAULT.acceptSilent));
    const s = session();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(server.activity()).toMatchObject({ handshakesInFlight: 0, plannedInFlight: 1 });
    const error = await s.ready;
    expect(error).not.toBeNull();
    expect(server.activity()).toMatchObject({ plannedInFlight: 0 });
    expect(await socketOf(s)).toMatchObject({ handshakeAt: null, endDetail: 'fault:accept-silent', faults: [FAULT.acceptSilent] });
  });

  it('connection-refused: reset as soon as accepted', async () => {
    connectionPlans.push(plan({ kind: 'connection-refused' }, FAULT.connectionRefused));
    const s = session();
    expect(((await s.ready) as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    const refused = server.recorder.snapshot().sockets.filter((socket) => socket.endDetail === 'fault:connection-refused');
    expect(refused).toMatchObject([{ end: 'reset', handshakeAt: null, faults: [FAULT.connectionRefused] }]);
  });
});
