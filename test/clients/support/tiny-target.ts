import type { CouchTarget } from './couch-target.js';
import { startTinyCouch } from './tiny-couch.js';

export async function startTinyTarget(): Promise<CouchTarget> {
  const tiny = await startTinyCouch();
  return {
    origin: tiny.origin,
    ca: tiny.ca,
    tenants: tiny.users.map((credentials, index) => ({ credentials, db: index === 0 ? 'foundbite' : 'orders' })),
    missingDb: 'missing',
    arrived: async (requestId) => tiny.requests.some((request) => request.requestId === requestId),
    served: async (requestId) => {
      const seen = tiny.requests.find((request) => request.requestId === requestId);
      return seen && { ...seen };
    },
    sockets: async () => tiny.sockets.map((socket) => ({ ...socket })),
    close: () => tiny.close(),
  };
}
