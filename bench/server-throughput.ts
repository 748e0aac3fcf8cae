import { createServer } from 'node:https';
import { Pool } from 'undici';
import {
  generateCertificate,
  SERVER_HEADER,
  startMockServer,
  type MockServer,
  type ServerCertificate,
} from '../src/server/index.js';
import type { Bench } from './bench.js';

/**
 * The mock's `_all_docs` throughput against a bare node:https server that answers a prebuilt body of the same size
 * and headers: what the couch layer, the recorder and the plan machinery cost. Same process, same load, same
 * certificate, rounds alternating so drift (GC, CPU boost) spreads over every target. Target: mock ≥ 0.8 × bare.
 */
const PATH = '/foundbite/_all_docs?limit=50';
const CONNECTIONS = 8;
const IN_FLIGHT = 64;
const WARMUP = 2_000;
const REQUESTS = 6_000;
const ROUNDS = 5;

interface Target {
  name: string;
  origin: string;
  close(): Promise<void>;
  /** Between rounds, outside the timing: read the history so the recorder frees what it kept for digests. */
  settle(): void;
}

async function bareTarget(certificate: ServerCertificate, body: Buffer): Promise<Target> {
  const headers = {
    Server: SERVER_HEADER,
    'X-Couch-Request-ID': '0000000001',
    'X-CouchDB-Body-Time': '0',
    'Cache-Control': 'must-revalidate',
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
  };
  const options = { cert: certificate.cert, key: certificate.key, ALPNProtocols: ['http/1.1'] };
  const server = createServer(options, (request, response) => {
    request.resume();
    response.writeHead(200, headers);
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    name: 'bare node:https',
    origin: `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    settle: () => undefined,
  };
}

function mockTarget(name: string, server: MockServer): Target {
  return { name, origin: server.origin, close: () => server.close(), settle: () => void server.recorder.snapshot() };
}

/** `count` requests, `IN_FLIGHT` at a time over one pool; resolves with requests per second. */
async function load(origin: string, ca: string, authorization: string, count: number): Promise<number> {
  const pool = new Pool(origin, { connections: CONNECTIONS, connect: { ca } });
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < count) {
      issued += 1;
      const response = await pool.request({ path: PATH, method: 'GET', headers: { authorization } });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`${origin}: status ${response.statusCode}`);
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - startedAt) / 1_000;
  await pool.close();
  return count / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function certificateMs(keyType: 'ec' | 'rsa', count: number): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) times.push((await generateCertificate(keyType)).generationMs);
  return median(times);
}

function printThroughput(targets: Target[], rates: Map<string, number[]>, bodyBytes: number): void {
  const rateOf = (name: string): number => median(rates.get(name)!);
  const bare = rateOf('bare node:https');
  console.log(`GET ${PATH}: ${bodyBytes}-byte chunked body`);
  console.log(`undici Pool, ${CONNECTIONS} connections, ${IN_FLIGHT} requests in flight, client in the same process`);
  console.log(`${ROUNDS} alternating rounds × ${REQUESTS} requests after ${WARMUP} warm-up; median req/s\n`);
  console.log('| target                 |   req/s | vs bare |');
  console.log('|------------------------|--------:|--------:|');
  for (const { name } of targets) {
    const rate = rateOf(name);
    console.log(`| ${name.padEnd(22)} | ${rate.toFixed(0).padStart(7)} | ${(rate / bare).toFixed(2).padStart(7)} |`);
  }
  const on = rateOf('mock, recording');
  const off = rateOf('mock, no-op recorder');
  const cost = (((off - on) / off) * 100).toFixed(1);
  console.log(`\nrecording costs ${cost} % of throughput; target: mock ≥ 0.80 × bare`);
}

async function run(): Promise<void> {
  const certificate = await generateCertificate('ec');
  const recording = await startMockServer({ certificate });
  const noop = await startMockServer({ certificate, retainHistory: false });
  const user = recording.couch.accounts().find((account) => account.databases.includes('foundbite'))!.users[0]!;
  const authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;

  const probe = new Pool(recording.origin, { connections: 1, connect: { ca: recording.ca } });
  const sample = await probe.request({ path: PATH, method: 'GET', headers: { authorization } });
  const body = Buffer.from(await sample.body.arrayBuffer());
  await probe.close();

  const targets = [await bareTarget(certificate, body), mockTarget('mock, recording', recording)];
  targets.push(mockTarget('mock, no-op recorder', noop));
  try {
    for (const target of targets) await load(target.origin, certificate.cert, authorization, WARMUP);
    const rates = new Map<string, number[]>(targets.map((target) => [target.name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotate the order each round so no target always runs first (or right after a GC-heavy one).
      for (let offset = 0; offset < targets.length; offset += 1) {
        const target = targets[(round + offset) % targets.length]!;
        rates.get(target.name)!.push(await load(target.origin, certificate.cert, authorization, REQUESTS));
        target.settle();
      }
    }
    printThroughput(targets, rates, body.length);
  } finally {
    for (const target of targets) await target.close();
  }

  const [ec, rsa] = [await certificateMs('ec', 7), await certificateMs('rsa', 5)];
  console.log('\n| certificate  | generation (median) |');
  console.log('|--------------|--------------------:|');
  console.log(`| EC P-256     | ${ec.toFixed(1).padStart(16)} ms |`);
  console.log(`| RSA-2048     | ${rsa.toFixed(1).padStart(16)} ms |`);
}

export const serverThroughput: Bench = { name: 'server throughput: mock vs bare node:https', run };
