import { createHash } from 'node:crypto';
import type { ClientFactory, ClientTraits, ClientUnderTest, Operation } from '../clients/contract.js';
import type { CallOutcome, CallRecord, ResolvedTraits, RunHistory } from '../history/run-history.js';
import { HISTORY_SCHEMA } from '../history/records.js';
import type { CallerPlan, OpPlan, Scenario } from '../scenario/scenario.js';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import type { HarnessServer } from './harness-server.js';
import { ReleaseGate } from './release-gate.js';

export interface RunSettings {
  server: HarnessServer;
  factory: ClientFactory;
  clientName: string;
  connections: number;
  /** The per-operation timeout handed to the client. */
  timeoutMs: number;
  /** A call not settled this long after the run started is a hang. crosstalk owns this deadline, not the client. */
  deadlineMs: number;
  /** After `close()`, how long every socket may take to disappear. */
  closeBoundMs: number;
  /** Fallback for releasing held responses when the client keeps requests back (see ReleaseGate). */
  graceMs: number;
  /** Distinguishes runs against one server: request ids are `r<run>-<opId>`. */
  run: number;
  /** Ends the run at once (Ctrl-C): the history is then marked interrupted and proves nothing. */
  signal?: AbortSignal;
}

export function resolveTraits(traits: ClientTraits | undefined, connections: number): ResolvedTraits {
  return {
    maxSockets: traits?.maxSockets === undefined ? connections : traits.maxSockets,
    pipelining: traits?.pipelining ?? 1,
    reuses: traits?.reuses ?? true,
    retriesIdempotent: traits?.retriesIdempotent ?? false,
  };
}

export function digestText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with `value` after `ms`, and can be cancelled so no timer outlives the run. */
function deadline<T>(ms: number, value: T): { promise: Promise<T>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(value), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function errorOutcome(error: unknown): CallOutcome {
  const err = error as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = String(err?.code ?? err?.cause?.code ?? err?.name ?? 'Error');
  return { type: 'error', code, message: String(err?.message ?? error) };
}

/** The run's client. A factory that throws, or returns no client, is a configuration error, not a verdict. */
async function createClient(settings: RunSettings, server: HarnessServer): Promise<ClientUnderTest> {
  let client: ClientUnderTest;
  try {
    client = await settings.factory({
      origin: server.origin,
      ca: server.ca,
      connections: settings.connections,
      timeoutMs: settings.timeoutMs,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(ConfigErrorCode.ClientFactory, `the factory of client ${settings.clientName} threw: ${message}`, {
      cause: error,
    });
  }
  if (typeof client?.run !== 'function' || typeof client.close !== 'function') {
    throw new ConfigError(
      ConfigErrorCode.ClientFactory,
      `the factory of client ${settings.clientName} returned no client: it must return an object with run() and close().`,
    );
  }
  return client;
}

/**
 * Runs one scenario: a fresh client shared by every caller, responses held and released in the scenario's order,
 * then close, and the server's records for the run. Never throws for anything the client does.
 */
export async function runScenario(scenario: Scenario, settings: RunSettings): Promise<RunHistory> {
  const { server } = settings;
  const mark = server.recorder.mark();
  const startedAt = performance.now();
  const client = await createClient(settings, server);
  const traits = resolveTraits(client.traits, settings.connections);

  const requestIdOf = (op: OpPlan) => `r${settings.run}-${op.opId}`;
  const opsByRequestId = new Map<string, OpPlan>();
  for (const caller of scenario.callers) for (const op of caller.ops) opsByRequestId.set(requestIdOf(op), op);

  let outstanding = 0;
  const capacity = traits.maxSockets === null ? null : traits.maxSockets * traits.pipelining;
  const gate = new ReleaseGate(opsByRequestId, () => outstanding, capacity, settings.graceMs);
  server.setPlans(gate);

  const runDeadline = deadline(settings.deadlineMs, 'hung' as const);
  let pastDeadline = false;
  void runDeadline.promise.then(() => {
    pastDeadline = true;
  });
  const stop = settings.signal;
  let onStop = (): void => undefined;
  const interruption = new Promise<'hung'>((resolve) => {
    onStop = () => resolve('hung');
    if (stop?.aborted === true) onStop();
    stop?.addEventListener('abort', onStop, { once: true });
  });
  void interruption.then(() => {
    pastDeadline = true;
  });
  const calls: CallRecord[] = [];
  const tenants = new Map(scenario.tenants.map((t) => [t.name, t]));

  const runCall = async (caller: CallerPlan, op: OpPlan): Promise<void> => {
    const tenant = tenants.get(caller.tenant);
    if (tenant === undefined) throw new Error(`scenario names unknown tenant ${caller.tenant}`);
    const controller = new AbortController();
    const operation: Operation = {
      kind: op.kind,
      db: op.db,
      params: op.params,
      requestId: requestIdOf(op),
      credentials: { username: tenant.username, password: tenant.password },
      signal: controller.signal,
    };
    const record: CallRecord = {
      opId: op.opId,
      requestId: operation.requestId,
      callerId: caller.callerId,
      tenant: tenant.name,
      username: tenant.username,
      kind: op.kind,
      method: op.kind === 'get' ? 'GET' : 'POST',
      db: op.db,
      issuedAt: performance.now(),
      settledAt: null,
      abortPlanned: op.abortAfterMs !== null,
      outcome: { type: 'hung' },
    };
    calls.push(record);
    outstanding += 1;
    const abortTimer = op.abortAfterMs === null ? undefined : setTimeout(() => controller.abort(), op.abortAfterMs);
    let pending: Promise<CallOutcome>;
    try {
      pending = Promise.resolve(client.run(operation)).then(
        (result): CallOutcome => ({
          type: 'response',
          status: result.status,
          requestIdSeen: result.requestId,
          bodyDigest: digestText(result.body),
          bytes: Buffer.byteLength(result.body, 'utf8'),
        }),
        (error: unknown): CallOutcome => (controller.signal.aborted ? { type: 'aborted' } : errorOutcome(error)),
      );
    } catch (error) {
      // A client that throws synchronously still only fails its own call.
      pending = Promise.resolve(errorOutcome(error));
    }
    const outcome = await Promise.race([pending, runDeadline.promise, interruption]);
    clearTimeout(abortTimer);
    outstanding -= 1;
    if (outcome !== 'hung') {
      record.outcome = outcome;
      record.settledAt = performance.now();
    }
    gate.settled();
  };

  const runCaller = async (caller: CallerPlan): Promise<void> => {
    for (const op of caller.ops) {
      if (pastDeadline) return;
      if (op.thinkMs > 0) await sleep(op.thinkMs);
      if (pastDeadline) return;
      await runCall(caller, op);
    }
  };

  await Promise.all(scenario.callers.map(runCaller));
  runDeadline.cancel();
  stop?.removeEventListener('abort', onStop);
  const callsEndedAt = performance.now();

  const closeCalledAt = performance.now();
  const closeLimit = deadline(settings.closeBoundMs, 'timeout' as const);
  const closed = await Promise.race([
    Promise.resolve()
      .then(() => client.close())
      .then(
        () => 'closed' as const,
        () => 'closed' as const,
      ),
    closeLimit.promise,
  ]);
  closeLimit.cancel();
  const closeReturnedAt = closed === 'closed' ? performance.now() : null;
  const remaining = Math.max(0, settings.closeBoundMs - (performance.now() - closeCalledAt));
  const allClosed = await server.whenSocketsClosed(remaining, mark as never);
  gate.dispose();
  server.setPlans(undefined);
  if (!allClosed) server.destroySockets();
  // Let the destroyed sockets' records settle before reading them.
  if (!allClosed) await server.whenSocketsClosed(1000, mark as never);

  const serverHistory = server.recorder.since(mark as never);
  const socketsClosedAt = allClosed
    ? serverHistory.sockets.reduce((latest, s) => Math.max(latest, s.endedAt ?? 0), closeCalledAt)
    : null;

  return {
    schema: HISTORY_SCHEMA,
    run: settings.run,
    client: settings.clientName,
    connections: settings.connections,
    timeoutMs: settings.timeoutMs,
    traits,
    scenario,
    calls,
    server: serverHistory,
    startedAt,
    callsEndedAt,
    deadlineMs: settings.deadlineMs,
    closeCalledAt,
    closeReturnedAt,
    socketsClosedAt,
    closeBoundMs: settings.closeBoundMs,
    interrupted: stop?.aborted === true,
  };
}
