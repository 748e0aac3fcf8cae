import type { ClientFactory, ClientTraits, ClientUnderTest } from '../clients/contract.js';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import type { ResolvedTraits, RunEnd, RunHistory } from '../history/run-history.js';
import { HISTORY_SCHEMA } from '../history/records.js';
import type { CallerPlan, OpPlan, Scenario } from '../scenario/scenario.js';
import { Calls } from './calls.js';
import type { HarnessServer } from './harness-server.js';
import { watchForQuiet } from './quiet-watch.js';
import { ReleaseClock } from './release-clock.js';
import { ReleaseGate } from './release-gate.js';
import { TimedLog } from './timed-log.js';

export interface RunSettings {
  server: HarnessServer;
  factory: ClientFactory;
  clientName: string;
  connections: number;
  /** The per-operation timeout handed to the client. */
  timeoutMs: number;
  /** A call not settled this long after the run started is a hang. crosstalk owns this deadline, not the client. */
  deadlineMs: number;
  /** Calls pending while nothing at all happens for this long are hung (default 300 ms); the deadline is the backstop. */
  quietMs?: number;
  /** After `close()`, how long every socket may take to disappear. */
  closeBoundMs: number;
  /** Held responses go out, batch or not, once the server has seen nothing new for this long (see ReleaseGate). */
  graceMs: number;
  /** Distinguishes runs against one server: request ids are `r<run>-<opId>`. */
  run: number;
  /** Ends the run at once (Ctrl-C): the history is then marked interrupted and proves nothing. */
  signal?: AbortSignal;
}

export const DEFAULT_QUIET_MS = 300;

export function resolveTraits(traits: ClientTraits | undefined, connections: number): ResolvedTraits {
  return {
    maxSockets: traits?.maxSockets === undefined ? connections : traits.maxSockets,
    pipelining: traits?.pipelining ?? 1,
    reuses: traits?.reuses ?? true,
    retriesIdempotent: traits?.retriesIdempotent ?? false,
  };
}

export { digestText } from './calls.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/** The first of the run's endings to come: every call settled, or quiescence, the deadline, a signal. */
function endings(settings: RunSettings, quiet: Promise<number>): { ended: Promise<RunEnd>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => undefined;
  const ended = new Promise<RunEnd>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), settings.deadlineMs);
    onAbort = () => resolve('interrupted');
    if (settings.signal?.aborted === true) onAbort();
    settings.signal?.addEventListener('abort', onAbort, { once: true });
    void quiet.then(() => resolve('quiescence'));
  });
  return {
    ended,
    cancel: () => {
      clearTimeout(timer);
      settings.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Runs one scenario: a fresh client shared by every caller, on one schedule — responses held and released in the
 * scenario's order, staggers counted in releases, aborts placed where the server observed the request — then close,
 * and the server's records for the run. Never throws for anything the client does.
 */
export async function runScenario(scenario: Scenario, settings: RunSettings): Promise<RunHistory> {
  const { server } = settings;
  const quietMs = settings.quietMs ?? DEFAULT_QUIET_MS;
  const mark = server.recorder.mark();
  const startedAt = performance.now();
  const client = await createClient(settings, server);
  const traits = resolveTraits(client.traits, settings.connections);
  const timed = new TimedLog();
  const clock = new ReleaseClock();
  const calls = new Calls(client, scenario, settings.run, timed);
  let sleeping = 0;
  const gate = new ReleaseGate(calls.opsByRequestId, {
    outstanding: () => calls.outstanding,
    capacity: traits.maxSockets === null ? null : traits.maxSockets * traits.pipelining,
    graceMs: settings.graceMs,
    activity: () => server.activity(),
    onHeld: (op) => calls.abortWhenHeld(op),
    onMidBody: (op) => calls.abortMidBody(op),
    onRelease: () => clock.tick(),
    timed: (step) => timed.add(step),
  });
  server.setPlans(gate);
  calls.onSettled = () => {
    gate.settled();
    nudgeClock();
  };

  // Nothing outstanding will be released, so nothing will tick the clock: tick it, so staggered callers go on.
  let nudging = false;
  const nudgeClock = (): void => {
    if (nudging || clock.waiters === 0 || calls.outstanding > 0) return;
    nudging = true;
    setImmediate(() => {
      nudging = false;
      if (clock.waiters > 0 && calls.outstanding === 0) clock.tick();
      nudgeClock();
    });
  };

  const watch = watchForQuiet(
    {
      outstanding: () => calls.outstanding,
      busy: () => gate.holding > 0 || sleeping > 0 || calls.settling > 0 || nudging,
      lastCallEventAt: () => calls.lastEventAt,
      allowanceMs: () => calls.retryAfterAllowanceMs(),
      activity: () => server.activity(),
    },
    quietMs,
  );
  const ending = endings(settings, watch.hung);
  let endedBy: RunEnd = 'settled';
  let over = false;
  void ending.ended.then((why) => {
    endedBy = why;
    over = true;
  });

  const runCaller = async (caller: CallerPlan): Promise<void> => {
    for (const op of caller.ops) {
      if (over) return;
      if (op.stagger > 0) {
        const due = clock.after(op.stagger);
        nudgeClock();
        await Promise.race([due, ending.ended]);
      }
      if (over) return;
      if (op.idleGapMs > 0) await idleGap(op);
      if (over) return;
      await Promise.race([calls.issue(caller, op), ending.ended]);
    }
  };
  const idleGap = async (op: OpPlan): Promise<void> => {
    sleeping += 1;
    const at = performance.now();
    await Promise.race([sleep(op.idleGapMs), ending.ended]);
    sleeping -= 1;
    timed.add({
      step: 'idle-gap',
      opId: op.opId,
      at,
      ms: op.idleGapMs,
      detail: `${op.opId} waited ${op.idleGapMs} ms of real time before issuing, so a server's close could reach the client`,
    });
  };

  await Promise.all(scenario.callers.map(runCaller));
  calls.freeze();
  watch.stop();
  ending.cancel();
  clock.releaseAll();
  const callsEndedAt = performance.now();

  const closeCalledAt = performance.now();
  const closed = await closeWithin(client, settings.closeBoundMs);
  const closeReturnedAt = closed ? performance.now() : null;
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
    calls: calls.records,
    server: serverHistory,
    startedAt,
    callsEndedAt,
    deadlineMs: settings.deadlineMs,
    endedBy,
    quietMs,
    timedSteps: timed.steps,
    timedStepCount: timed.count,
    closeCalledAt,
    closeReturnedAt,
    socketsClosedAt,
    closeBoundMs: settings.closeBoundMs,
    interrupted: (endedBy as RunEnd) === 'interrupted',
  };
}

/** `client.close()`, bounded: true if it returned (resolved or rejected) within `ms`. */
async function closeWithin(client: ClientUnderTest, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const closing = Promise.resolve()
    .then(() => client.close())
    .then(
      () => true as const,
      () => true as const,
    );
  const closed = await Promise.race([closing, limit]);
  clearTimeout(timer);
  return closed;
}
