import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

/** After `close()`, the client returns promptly and every socket it opened is gone within the bound. */
export const cleanClose: Invariant = {
  id: 'clean-close',
  title: 'Clean close',
  rule: 'after close(), every socket the client opened is closed within the bound',
  check(history) {
    const violations: Violation[] = [];
    const limit = history.closeCalledAt + history.closeBoundMs;
    if (history.closeReturnedAt === null) {
      violations.push({
        invariant: 'clean-close',
        message: `close() had not returned ${history.closeBoundMs} ms after it was called.`,
      });
    }
    const lingering = history.server.sockets.filter((s) => s.endedAt === null || s.endedAt > limit);
    for (const socket of lingering) {
      violations.push({
        invariant: 'clean-close',
        socketId: socket.socketId,
        message:
          `socket ${socket.socketId} (${socket.requestCount} requests) was still open ${history.closeBoundMs} ms after ` +
          'close() was called; the harness destroyed it.',
      });
    }
    const closeMs = history.socketsClosedAt === null ? -1 : Math.max(0, history.socketsClosedAt - history.closeCalledAt);
    return result('clean-close', history.server.sockets.length > 0, violations, { closeMs: Math.round(closeMs) });
  },
};
