import type { ClientUnderTest } from '../clients/contract.js';
import type { SocketsLeftOpen } from '../history/run-history.js';
import type { HarnessServer } from './harness-server.js';

export interface Closing {
  closeCalledAt: number;
  /** When close() returned (resolved or rejected); null if it had not within the bound. */
  closeReturnedAt: number | null;
  /** Null when every socket of the run closed; otherwise how the harness knew to stop waiting and destroy them. */
  leftOpen: SocketsLeftOpen | null;
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

/** Resolves once the server has seen nothing for `quietMs` since `since`, or after `withinMs` at the latest. */
function quietSince(server: HarnessServer, since: number, quietMs: number, withinMs: number): Promise<'quiet' | 'bound'> {
  const deadline = performance.now() + withinMs;
  return new Promise((resolve) => {
    const look = (): void => {
      const now = performance.now();
      if (now - Math.max(server.activity().lastEventAt, since) >= quietMs) return resolve('quiet');
      if (now >= deadline) return resolve('bound');
      setTimeout(look, Math.min(Math.max(5, quietMs / 5), Math.max(1, deadline - now)));
    };
    look();
  });
}

/**
 * Closes the run's client and waits for its sockets to go: until every one has, or the close bound passes, or —
 * close() having returned — the server has seen nothing at all for `quietMs` (a socket still open then is one the
 * client left open, and waiting out the bound would only cost time). What is still open is destroyed, so a leaky
 * client's sockets never spill into the next run.
 */
export async function closeClient(
  client: ClientUnderTest,
  server: HarnessServer,
  mark: unknown,
  boundMs: number,
  quietMs: number,
): Promise<Closing> {
  const closeCalledAt = performance.now();
  const returned = await closeWithin(client, boundMs);
  const closeReturnedAt = returned ? performance.now() : null;
  const remaining = Math.max(0, boundMs - (performance.now() - closeCalledAt));
  let leftOpen: SocketsLeftOpen | null = null;
  if (closeReturnedAt === null) {
    if (!(await server.whenSocketsClosed(0, mark as never))) leftOpen = { by: 'bound', afterMs: boundMs };
  } else {
    const gone = server.whenSocketsClosed(remaining, mark as never).then((closed) => (closed ? 'closed' : 'bound'));
    const how = await Promise.race([gone, quietSince(server, closeReturnedAt, quietMs, remaining)]);
    if (how !== 'closed' && !(await server.whenSocketsClosed(0, mark as never))) {
      leftOpen = { by: how, afterMs: Math.round(performance.now() - closeReturnedAt) };
    }
  }
  if (leftOpen !== null) {
    server.destroySockets();
    // Let the destroyed sockets' records settle before they are read.
    await server.whenSocketsClosed(1000, mark as never);
  }
  return { closeCalledAt, closeReturnedAt, leftOpen };
}
