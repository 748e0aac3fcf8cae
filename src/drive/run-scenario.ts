import type { ClientFactory, ClientTraits, ClientUnderTest } from '../clients/contract.js';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import type { ResolvedTraits, RunEnd, RunHistory } from '../history/run-history.js';
import { HISTORY_SCHEMA } from '../history/records.js';
import type { CallerPlan, OpPlan, Scenario } from '../scenario/scenario.js';
import { Calls } from './calls.js';
import { closeClient } from './close-client.js';
import { ConnectArming } from './connect-arming.js';
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
  /** Calls pending while nothing at all happens for this long are hung (default 200 ms); the deadline is the backstop. */
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

export const DEFAULT_QUIET_MS = 200;

export function resolveTraits(traits: ClientTraits | undefined, connections: number): ResolvedTraits {
  return {
    maxSockets: traits?.maxSockets === undefined ? connections : traits.maxSockets,
    pipelining: traits?.pipelining ?? 1,
    reuses: traits?.reuses ?? true,
    retriesIdempotent: traits?.retriesIdempotent ?? false,
    maxRequestsPerSocket: traits?.maxRequestsPerSocket ?? null,
    socketsPerTenant: traits?.socketsPerTenant ?? false,
    rejectsErrorStatus: traits?.rejectsErrorStatus ?? false,
    outOfProcess: traits?.outOfProcess ?? false,
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

/**
 * The deadline, as a backstop that a starved process does not trip: a timer that fires late (the machine was busy
 * elsewhere) is given that lateness again, once, and the run ends only after a poll phase more, which lets I/O that
 * piled up meanwhile be read: a call whose reply was waiting in the kernel settles instead of counting as hung.
 */
function deadlineTimer(ms: number, onDeadline: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let extended = false;
  const arm = (delay: number): void => {
    const due = performance.now() + delay;
    timer = setTimeout(() => {
      const late = performance.now() - due;
      if (!extended && late > 50) {
        extended = true;
        return arm(Math.min(late, ms));
      }
      setImmediate(() => setImmediate(onDeadline));
    }, delay);
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/** The first of the run's endings to come: every call settled, or quiescence, the deadline, a signal. */
function endings(settings: RunSettings, quiet: Promise<number>): { ended: Promise<RunEnd>; cancel: () => void } {
  let stopDeadline = (): void => undefined;
  let onAbort = (): void => undefined;
  const ended = new Promise<RunEnd>((resolve) => {
    stopDeadline = deadlineTimer(settings.deadlineMs, () => resolve('deadline'));
    onAbort = () => resolve('interrupted');
    if (settings.signal?.aborted === true) onAbort();
    settings.signal?.addEventListener('abort', onAbort, { once: true });
    void quiet.then(() => resolve('quiescence'));
  });
  return {
    ended,
    cancel: () => {
      stopDeadline();
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
  const arming = new ConnectArming(gate, (op) => calls.requestIdOf(op), (op) =>
    calls.records.some((record) => record.opId === op.opId && record.settledAt === null),
  );
  server.setPlans(arming);
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
      arming.arm(op);
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

  const closing = await closeClient(client, server, mark, settings.closeBoundMs, quietMs);
  gate.dispose();
  server.setPlans(undefined);

  const serverHistory = server.recorder.since(mark as never);
  const { closeCalledAt, closeReturnedAt, leftOpen } = closing;
  const socketsClosedAt =
    leftOpen === null ? serverHistory.sockets.reduce((latest, s) => Math.max(latest, s.endedAt ?? 0), closeCalledAt) : null;

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
    socketsLeftOpen: leftOpen,
    closeBoundMs: settings.closeBoundMs,
    interrupted: (endedBy as RunEnd) === 'interrupted',
  };
}

