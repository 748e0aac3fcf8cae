import { HARNESS_END } from '../history/records.js';
import { FAULT } from '../scenario/fault-names.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

/** After `close()`, the client returns promptly and every socket it opened is gone within the bound. */
export const cleanClose: Invariant = {
  id: 'clean-close',
  title: 'Clean close',
  rule: 'after close(), every socket the client opened is closed within the bound',
  check(history) {
    const violations: Violation[] = [];
    if (history.closeReturnedAt === null) {
      violations.push({
        invariant: 'clean-close',
        message: `close() had not returned ${history.closeBoundMs} ms after it was called.`,
      });
    }
    const leftOpen = history.socketsLeftOpen;
    // What the harness destroyed is what the client left open: judged by the record, not by the clock at the bound.
    const destroyed = leftOpen === null ? [] : history.server.sockets.filter((s) => s.endDetail === HARNESS_END.destroyed);
    // A connection the server is still holding silent before its handshake (accept-silent) is a connect in flight:
    // clients cannot cancel one (undici's destroy() lets it run to its connect timeout), and the server ends it.
    const heldSilent = destroyed.filter((s) => s.handshakeAt === null && (s.faults ?? []).includes(FAULT.acceptSilent));
    const notes = heldSilent.map(
      (s) =>
        `socket ${s.socketId} was still in the TLS handshake the server was holding silent (accept-silent) when ` +
        `close() returned: a connect in flight, ended by the server's silence, not a socket the client kept.`,
    );
    const lingering = destroyed.filter((s) => !heldSilent.includes(s));
    for (const socket of lingering) {
      const when =
        leftOpen!.by === 'quiet'
          ? `${leftOpen!.afterMs} ms after close() returned, with nothing happening at the server for ${history.quietMs} ms`
          : `${history.closeBoundMs} ms after close() was called`;
      violations.push({
        invariant: 'clean-close',
        socketId: socket.socketId,
        message: `socket ${socket.socketId} (${socket.requestCount} requests) was still open ${when}: the client left it open, and the harness destroyed it.`,
      });
    }
    const closeMs = history.socketsClosedAt === null ? -1 : Math.max(0, history.socketsClosedAt - history.closeCalledAt);
    return result('clean-close', history.server.sockets.length > 0, violations, { closeMs: Math.round(closeMs) }, notes);
  },
};
