import type { Socket } from 'node:net';
import type { Connection, ConnectionTable } from './connections.js';
import { LINGER_MS } from './connections.js';
import type { ConnectionPlan, PlanSource } from './response-plan.js';

/**
 * A fatal TLS alert record, as a server that rejects a handshake sends it: content type 21 (alert), TLS 1.2 record
 * version, length 2, level 2 (fatal), description 40 (handshake_failure). Any TLS client reads it as the end of the
 * handshake: "sslv3 alert handshake failure".
 */
const HANDSHAKE_FAILURE_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

/**
 * A TCP connection has been accepted: record it, ask the plan source whether its connection is faulted, and either
 * hand it to TLS (`startTls`, node's own TLS listener) or do the fault instead. The TLS listener is called by us, not
 * by node, so a stalled handshake is one that has not been handed over yet: the ClientHello waits in the kernel.
 */
export function acceptConnection(
  connections: ConnectionTable,
  plans: PlanSource | undefined,
  raw: Socket,
  startTls: () => void,
): void {
  const connection = connections.accept(raw);
  const plan = connectionPlan(plans, connection.record.socketId);
  if (plan === undefined) {
    startTls();
    return;
  }
  connection.record.faults = [...plan.faults];
  if (plan.forRequestId !== undefined) connection.record.faultFor = plan.forRequestId;
  // Until TLS takes the socket over, nobody else listens for its errors: a client reset must not be uncaught.
  raw.on('error', (error: NodeJS.ErrnoException) => connections.failed(connection, error));
  const detail = `fault:${plan.faults[0] ?? plan.fault.kind}`;
  const fault = plan.fault;
  switch (fault.kind) {
    case 'connection-refused':
      connections.ended(connection, 'reset', detail);
      raw.resetAndDestroy();
      return;
    case 'tls-alert':
      raw.once('data', () => {
        connections.ended(connection, 'server-close', detail);
        raw.end(HANDSHAKE_FAILURE_ALERT);
        linger(raw);
      });
      return;
    case 'tls-stall': {
      // Still a handshake under way (the engine waits for it): only later than the client expected.
      const timer = setTimeout(() => {
        if (!raw.destroyed) startTls();
      }, fault.stallMs);
      raw.once('close', () => clearTimeout(timer));
      return;
    }
    case 'accept-silent': {
      connections.holdSilent(connection);
      // Read and drop what comes (the ClientHello), so the client's own close is seen when it gives up.
      raw.resume();
      const timer = setTimeout(() => closeSilent(connections, connection, raw, detail), fault.silenceMs);
      raw.once('close', () => {
        clearTimeout(timer);
        connections.endSilence(connection);
      });
      return;
    }
  }
}

function closeSilent(connections: ConnectionTable, connection: Connection, raw: Socket, detail: string): void {
  connections.ended(connection, 'server-close', detail);
  connections.endSilence(connection);
  raw.end();
  linger(raw);
}

/** Destroy a half-closed raw socket after LINGER_MS unless the client's own close comes first. */
function linger(raw: Socket): void {
  const timer = setTimeout(() => raw.destroy(), LINGER_MS);
  timer.unref();
  raw.once('close', () => clearTimeout(timer));
}

/** The plan source's answer; a source that throws costs the fault, never the connection. */
function connectionPlan(plans: PlanSource | undefined, socketId: number): ConnectionPlan | undefined {
  if (plans?.connectionPlanFor === undefined) return undefined;
  try {
    return plans.connectionPlanFor(socketId);
  } catch (error) {
    process.emitWarning(`crosstalk: connectionPlanFor threw, accepting plainly: ${String(error)}`);
    return undefined;
  }
}
