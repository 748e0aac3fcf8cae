import { afterEach, describe, expect, it } from 'vitest';
import type { ClientUnderTest, Operation } from '../../src/clients/contract.js';
import { MiniPool } from './mini-pool.js';
import type { RawTlsServer, Responder } from './raw-tls-server.js';
import { plainResponse, startRawTlsServer } from './raw-tls-server.js';

let server: RawTlsServer | undefined;
let pool: ClientUnderTest | undefined;

afterEach(async () => {
  await pool?.close();
  await server?.close();
  pool = undefined;
  server = undefined;
});

async function setUp(responder: Responder, connections = 2, timeoutMs = 2000): Promise<{ server: RawTlsServer; pool: MiniPool }> {
  server = await startRawTlsServer(responder);
  const miniPool = new MiniPool({ origin: server.origin, ca: server.ca, connections, timeoutMs });
  pool = miniPool;
  return { server, pool: miniPool };
}

let nextId = 0;
function get(limit: number, signal: AbortSignal = new AbortController().signal): Operation {
  nextId += 1;
  return {
    kind: 'get',
    db: 'db',
    params: { limit },
    requestId: `req-${nextId}`,
    credentials: { username: 'amara', password: 'amara-pw' },
    signal,
  };
}

/** Echoes the request's limit and socket in a Content-Length body. */
const echo: Responder = (request, reply) => {
  reply.write(plainResponse(200, JSON.stringify({ path: request.path, socket: request.socketId }), [
    `x-couch-request-id: ${request.headers['x-couch-request-id']}`,
  ]));
};

describe('MiniPool: response parsing', () => {
  it('reads a Content-Length body whose head and body arrive in several writes', async () => {
    const { pool } = await setUp(async (_request, reply) => {
      const response = Buffer.from(plainResponse(200, '{"rows":["é","中"]}', ['X-Couch-Request-ID: abc']));
      // The last cut falls inside "中": bytes, not characters, are what arrive split.
      const cuts = [0, 5, 30, response.length - 4, response.length];
      for (let i = 1; i < cuts.length; i += 1) {
        reply.write(response.subarray(cuts[i - 1], cuts[i]));
        await reply.pause(3);
      }
    });
    const result = await pool.run(get(1));
    expect(result).toEqual({ status: 200, requestId: 'abc', body: '{"rows":["é","中"]}' });
  });

  it('reads a chunked body split mid chunk-size and mid CRLF, with trailers, and stays aligned for the next response', async () => {
    const { pool, server } = await setUp(async (request, reply) => {
      const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n';
      const body = `{"seq":${request.seq},"pad":"${'x'.repeat(20)}"}`;
      const first = body.slice(0, 10);
      const second = body.slice(10);
      const wire = `${head}${first.length.toString(16)}\r\n${first}\r\n${second.length.toString(16)};ext=1\r\n${second}\r\n0\r\nX-Checksum: 42\r\n\r\n`;
      for (let at = 0; at < wire.length; at += 7) {
        reply.write(wire.slice(at, at + 7));
        if (at % 21 === 0) await reply.pause(1);
      }
    });
    const first = await pool.run(get(1));
    const second = await pool.run(get(2));
    expect(first.body).toBe(`{"seq":1,"pad":"${'x'.repeat(20)}"}`);
    expect(second.body).toBe(`{"seq":2,"pad":"${'x'.repeat(20)}"}`);
    expect(server.sockets).toHaveLength(1);
  });

  it('skips 100 Continue and 103 Early Hints: the final status is the answer, and the next response is not off by one', async () => {
    const { pool, server } = await setUp(async (request, reply) => {
      reply.write('HTTP/1.1 100 Continue\r\n\r\n');
      await reply.pause(2);
      reply.write('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n');
      await reply.pause(2);
      reply.write(plainResponse(201, `final-${request.seq}`));
    });
    const first = await pool.run(get(1));
    const second = await pool.run(get(2));
    expect(first).toMatchObject({ status: 201, body: 'final-1' });
    expect(second).toMatchObject({ status: 201, body: 'final-2' });
    expect(server.sockets).toHaveLength(1);
  });

  it('reads no body after a 204, whatever follows on the socket', async () => {
    const { pool, server } = await setUp((request, reply) => {
      reply.write(request.seq === 1 ? 'HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\n\r\n' : plainResponse(200, 'next'));
    });
    expect(await pool.run(get(1))).toMatchObject({ status: 204, body: '' });
    expect(await pool.run(get(2))).toMatchObject({ status: 200, body: 'next' });
    expect(server.sockets).toHaveLength(1);
  });

  it('rejects a malformed response and discards its socket', async () => {
    const { pool, server } = await setUp((request, reply) => {
      reply.write(request.socketId === 1 ? 'HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n' : plainResponse(200, 'fresh'));
    });
    await expect(pool.run(get(1))).rejects.toMatchObject({ code: 'MINI_POOL_PARSE' });
    expect(await pool.run(get(2))).toMatchObject({ status: 200, body: 'fresh' });
    expect(server.requests.map((r) => r.socketId)).toEqual([1, 2]);
  });

  it('tolerates a stray CRLF after a response, and reuses the socket', async () => {
    const { pool, server } = await setUp((request, reply) => {
      reply.write(`${plainResponse(200, `s${request.socketId}-${request.seq}`)}\r\n`);
    });
    expect((await pool.run(get(1))).body).toBe('s1-1');
    expect((await pool.run(get(2))).body).toBe('s1-2');
    expect(server.sockets).toHaveLength(1);
  });

  it('discards a socket that carries bytes beyond the response owed, in the same write or while idle', async () => {
    const { pool, server } = await setUp(async (request, reply) => {
      const body = `s${request.socketId}`;
      if (request.socketId === 1) reply.write(plainResponse(200, body) + plainResponse(200, 'nobody asked'));
      else if (request.socketId === 2) {
        reply.write(plainResponse(200, body));
        await reply.pause(10);
        reply.write(plainResponse(200, 'late'));
      } else reply.write(plainResponse(200, body));
    });
    expect((await pool.run(get(1))).body).toBe('s1');
    expect((await pool.run(get(2))).body).toBe('s2');
    // The raw server leaves Nagle on: the late bytes may wait for the client's delayed ACK before they arrive.
    for (let waited = 0; server.sockets[1]?.closed !== true && waited < 1000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(server.sockets[1]?.closed).toBe(true);
    expect((await pool.run(get(3))).body).toBe('s3');
    expect(server.requests.map((r) => [r.socketId, r.seq])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });

  it('reads a body delimited by the end of the connection, and does not reuse that socket', async () => {
    const { pool, server } = await setUp((request, reply) => {
      reply.write(`HTTP/1.1 200 OK\r\n\r\nuntil-close-s${request.socketId}`);
      reply.end();
    });
    expect((await pool.run(get(1))).body).toBe('until-close-s1');
    expect((await pool.run(get(2))).body).toBe('until-close-s2');
    expect(server.sockets).toHaveLength(2);
  });
});

describe('MiniPool: sockets', () => {
  it('reuses one socket for sequential requests', async () => {
    const { pool, server } = await setUp(echo);
    for (let i = 0; i < 4; i += 1) expect((await pool.run(get(i))).status).toBe(200);
    expect(server.sockets).toHaveLength(1);
    expect(server.requests.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('honours Connection: close: the socket is not reused', async () => {
    const { pool, server } = await setUp((request, reply) => {
      reply.write(plainResponse(200, 'bye', ['Connection: close']));
      if (request.seq === 1) setTimeout(() => reply.end(), 20); // the server is slow to close
    });
    await pool.run(get(1));
    await pool.run(get(2));
    expect(server.requests.map((r) => [r.socketId, r.seq])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('drops an idle socket the server closed, and uses a new one', async () => {
    const { pool, server } = await setUp((request, reply) => {
      reply.write(plainResponse(200, `s${request.socketId}`));
      if (request.socketId === 1) setTimeout(() => reply.end(), 5);
    });
    expect((await pool.run(get(1))).body).toBe('s1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.sockets[0]?.closed).toBe(true);
    expect((await pool.run(get(2))).body).toBe('s2');
  });

  it('never has more than `connections` sockets; the others wait in a FIFO queue, one request per socket', async () => {
    let answered = 0;
    const { pool, server } = await setUp(async (request, reply) => {
      await reply.pause(10);
      answered += 1;
      reply.write(plainResponse(200, request.path, [`x-couch-request-id: ${request.headers['x-couch-request-id']}`]));
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => pool.run(get(n))));
    expect(results.map((r) => r.body)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `/db/_all_docs?limit=${n}`));
    expect(answered).toBe(7);
    expect(server.sockets).toHaveLength(2);
    expect(server.peakOpenSockets()).toBe(2);
    // Queued calls were served first come, first served.
    const arrival = server.requests.map((r) => Number(r.path.split('=')[1]));
    expect(arrival.slice(2)).toEqual([3, 4, 5, 6, 7]);
  });
});

describe('MiniPool: abort, timeout, close', () => {
  it('an abort in flight destroys that socket and rejects; the pool carries on with a new socket', async () => {
    const { pool, server } = await setUp((request, reply) => {
      if (request.path.endsWith('limit=1')) return; // never answered
      echo(request, reply);
    });
    const controller = new AbortController();
    const pending = pool.run(get(1, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(await server.whenSocketsClosed(1000)).toBe(true);
    expect((await pool.run(get(2))).status).toBe(200);
    expect(server.sockets).toHaveLength(2);
  });

  it('an abort while queued leaves the queue: the request never reaches the server', async () => {
    let releaseFirst: () => void = () => undefined;
    const { pool, server } = await setUp(async (request, reply) => {
      if (request.path.endsWith('limit=1')) await new Promise<void>((resolve) => (releaseFirst = resolve));
      echo(request, reply);
    }, 1);
    const first = pool.run(get(1));
    const controller = new AbortController();
    const queued = pool.run(get(2, controller.signal));
    const third = pool.run(get(3));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    releaseFirst();
    expect((await first).status).toBe(200);
    expect((await third).status).toBe(200);
    expect(server.requests.map((r) => r.path)).toEqual(['/db/_all_docs?limit=1', '/db/_all_docs?limit=3']);
    expect(server.sockets).toHaveLength(1);
  });

  it("applies the client's own timeout to an exchange", async () => {
    const { pool } = await setUp(() => undefined, 1, 50);
    await expect(pool.run(get(1))).rejects.toMatchObject({ code: 'MINI_POOL_TIMEOUT' });
  });

  it('close() destroys idle and busy sockets and rejects queued calls', async () => {
    const { pool, server } = await setUp((request, reply) => {
      if (request.seq === 1 && request.socketId === 1) echo(request, reply); // socket 1 answers once, then idles
    }, 2);
    await pool.run(get(1)); // socket 1, now idle
    // Caught now: they reject during close(), before the expectations below attach.
    const failures = [get(2), get(3), get(4)].map((op) => pool.run(op).then(() => null, (error: unknown) => error));
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Socket 1 carries call 2, socket 2 carries call 3, call 4 waits.
    expect(server.openSockets()).toBe(2);
    await pool.close();
    for (const failure of await Promise.all(failures)) expect(failure).toMatchObject({ code: 'MINI_POOL_CLOSED' });
    expect(await server.whenSocketsClosed(1000)).toBe(true);
    await expect(pool.run(get(5))).rejects.toMatchObject({ code: 'MINI_POOL_CLOSED' });
  });

  it('close() destroys idle sockets', async () => {
    const { pool, server } = await setUp(echo, 2);
    await Promise.all([pool.run(get(1)), pool.run(get(2))]);
    expect(server.openSockets()).toBe(2);
    await pool.close();
    expect(await server.whenSocketsClosed(1000)).toBe(true);
  });
});
