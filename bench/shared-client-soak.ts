import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientUnderTest, Operation } from '../src/clients/contract.js';
import { loadClient } from '../src/clients/registry.js';
import { JsonlWriter } from '../src/history/jsonl-writer.js';
import type { OperationKind } from '../src/scenario/scenario.js';
import { seededFaultSource } from '../src/server/plan-sources.js';
import { startMockServer } from '../src/server/index.js';
import { tenantsFromAccounts } from '../src/verify/tenants.js';

/**
 * `requests` calls through ONE shared client (the built-in undici-pool adapter, as `verify` uses it) by many
 * concurrent callers, every server fault drawn per request id from the seed, callers aborting some calls, and the
 * history streamed to disk as it happens: the server's records (its JSONL sink) and every caller's call (a JSONL
 * line each). Nothing is kept in memory, so the cost per request must stay flat from 10⁴ to 10⁶ requests.
 */
export interface SoakCheckpoint {
  requests: number;
  seconds: number;
  /** Over all requests so far, and over those since the previous checkpoint. */
  usPerRequest: number;
  usPerRequestSinceLast: number;
  rssMb: number;
  maxRssMb: number;
  /** V8's heap in use (not collected first): what the process itself holds, without the allocator's slack. */
  heapMb: number;
  historyMb: number;
}

export interface SharedClientSoakResult {
  checkpoints: SoakCheckpoint[];
  callers: number;
  connections: number;
  outcomes: Record<string, number>;
  /** Replies carrying another request's id: cross-talk, which must be 0. */
  foreignReplies: number;
}

const CONNECTIONS = 32;
const CALLERS = 128;
const TIMEOUT_MS = 5_000;
const ABORT_PERCENT = 6;

/** mulberry32: a tiny seeded generator for the callers' choices, so a seed repeats the same traffic. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KINDS: OperationKind[] = ['get', 'get', 'get', 'get', 'post', 'post', 'post', 'queries'];

function paramsFor(kind: OperationKind, limit: number): Record<string, unknown> {
  return kind === 'queries' ? { queries: [{ limit }, { limit: limit + 1, skip: 1 }] } : { limit };
}

export async function sharedClientSoak(
  checkpoints: readonly number[],
  seed: number,
  dir: string,
  onProgress?: (checkpoint: SoakCheckpoint) => void,
): Promise<SharedClientSoakResult> {
  const total = Math.max(...checkpoints);
  const serverFile = join(dir, 'soak-server.jsonl');
  const callsFile = join(dir, 'soak-calls.jsonl');
  const server = await startMockServer({ historyFile: serverFile, retainHistory: false, plans: seededFaultSource(seed) });
  const calls = await JsonlWriter.open(callsFile);
  const tenants = tenantsFromAccounts(server.couch.accounts());
  const { factory } = await loadClient('undici-pool');
  const client: ClientUnderTest = await factory({ origin: server.origin, ca: server.ca, connections: CONNECTIONS, timeoutMs: TIMEOUT_MS });
  const outcomes: Record<string, number> = {};
  const count = (key: string): void => void (outcomes[key] = (outcomes[key] ?? 0) + 1);
  let foreignReplies = 0;
  let issued = 0;
  let done = 0;
  const marks = [...checkpoints].sort((a, b) => a - b);
  const reached: SoakCheckpoint[] = [];
  const started = performance.now();
  const historyMb = (): number => [serverFile, callsFile].reduce((sum, file) => sum + statSync(file).size, 0) / 1e6;

  const checkpoint = (): void => {
    if (done !== marks[reached.length]) return;
    const seconds = (performance.now() - started) / 1_000;
    const previous = reached.at(-1);
    const point: SoakCheckpoint = {
      requests: done,
      seconds,
      usPerRequest: (seconds * 1e6) / done,
      usPerRequestSinceLast: ((seconds - (previous?.seconds ?? 0)) * 1e6) / (done - (previous?.requests ?? 0)),
      rssMb: process.memoryUsage.rss() / 1e6,
      maxRssMb: process.resourceUsage().maxRSS / 1_024,
      heapMb: process.memoryUsage().heapUsed / 1e6,
      historyMb: historyMb(),
    };
    reached.push(point);
    onProgress?.(point);
  };

  const caller = async (index: number): Promise<void> => {
    const next = random(seed * 1_000 + index);
    const tenant = tenants[index % tenants.length]!;
    while (issued < total) {
      const n = issued++;
      const kind = KINDS[Math.floor(next() * KINDS.length)]!;
      const controller = new AbortController();
      const operation: Operation = {
        kind,
        db: tenant.databases[Math.floor(next() * tenant.databases.length)]!,
        params: paramsFor(kind, 1 + Math.floor(next() * 5)),
        requestId: `s${n}`,
        credentials: { username: tenant.username, password: tenant.password },
        signal: controller.signal,
      };
      const abortAt = next() * 100 < ABORT_PERCENT ? 2 + Math.floor(next() * 14) : null;
      const timer = abortAt === null ? undefined : setTimeout(() => controller.abort(), abortAt);
      const issuedAt = performance.now();
      let outcome: Record<string, unknown>;
      try {
        const result = await client.run(operation);
        if (result.requestId !== operation.requestId) foreignReplies += 1;
        outcome = { type: 'response', status: result.status, requestIdSeen: result.requestId, bytes: result.body.length };
        count(`status ${result.status}`);
      } catch (error) {
        const code = controller.signal.aborted ? 'aborted' : String((error as { code?: string }).code ?? (error as Error).name);
        outcome = { type: code === 'aborted' ? 'aborted' : 'error', code };
        count(code === 'aborted' ? 'aborted by the caller' : `error ${code}`);
      }
      clearTimeout(timer);
      const line = { requestId: operation.requestId, caller: index, tenant: tenant.name, kind, db: operation.db, issuedAt, settledAt: performance.now(), outcome };
      const wait = calls.write(line);
      done += 1;
      checkpoint();
      if (wait !== undefined) await wait;
    }
  };

  try {
    await Promise.all(Array.from({ length: CALLERS }, (_, index) => caller(index)));
  } finally {
    await client.close();
    await calls.close();
    await server.close();
  }
  return { checkpoints: reached, callers: CALLERS, connections: CONNECTIONS, outcomes, foreignReplies };
}
