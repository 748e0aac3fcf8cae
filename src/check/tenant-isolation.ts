import { nameCall } from '../history/history-index.js';
import type { Invariant, Violation } from './invariant.js';
import { result } from './invariant.js';

/**
 * Credentials never cross tenants: every request the server received for a call carried that caller's own
 * credentials, and no caller got a reply that the server produced under another tenant's credentials.
 */
export const tenantIsolation: Invariant = {
  id: 'tenant-isolation',
  title: 'Tenant isolation',
  rule: "each request carries its own caller's credentials, and no caller receives a reply served to another tenant",
  check(history, index) {
    const violations: Violation[] = [];
    let anonymous = 0;
    for (const request of history.server.requests) {
      const call = index.callsByRequestId.get(request.requestId);
      if (call === undefined) continue;
      if (request.identity === null) {
        anonymous += 1;
        continue;
      }
      if (request.identity !== call.username) {
        violations.push({
          invariant: 'tenant-isolation',
          callerId: call.callerId,
          opId: call.opId,
          requestId: call.requestId,
          socketId: request.socketId,
          message:
            `${nameCall(call)} reached the server on socket ${request.socketId} authenticated as ` +
            `${request.identity} (tenant ${request.tenant ?? '?'}), not as ${call.username} (tenant ${call.tenant}).`,
        });
      }
    }
    for (const call of history.calls) {
      if (call.outcome.type !== 'response' || call.outcome.requestIdSeen === null) continue;
      if (call.outcome.requestIdSeen === call.requestId) {
        // Same id, but the body may still be another tenant's: match by digest.
        const own = index.requestsById.get(call.requestId) ?? [];
        const digest = call.outcome.bodyDigest;
        if (own.length === 0 || own.some((r) => r.bodyDigest === digest)) continue;
        const source = index.requestsByDigest.get(digest)?.find((r) => r.identity !== null && r.identity !== call.username);
        if (source === undefined || source.tenant === call.tenant) continue;
        violations.push({
          invariant: 'tenant-isolation',
          callerId: call.callerId,
          opId: call.opId,
          requestId: call.requestId,
          culpritRequestId: source.requestId,
          socketId: source.socketId,
          message: `${nameCall(call)} received data the server served to ${source.identity} (tenant ${source.tenant}) for request ${source.requestId}.`,
        });
        continue;
      }
      const served = index.requestsById.get(call.outcome.requestIdSeen)?.[0];
      if (served === undefined || served.identity === null || served.tenant === call.tenant) continue;
      violations.push({
        invariant: 'tenant-isolation',
        callerId: call.callerId,
        opId: call.opId,
        requestId: call.requestId,
        culpritRequestId: served.requestId,
        socketId: served.socketId,
        message: `${nameCall(call)} received the reply the server produced for ${served.identity} (tenant ${served.tenant}), request ${served.requestId}.`,
      });
    }
    const tenantsSeen = new Set(history.calls.map((c) => c.tenant));
    const notes = anonymous > 0 ? [`${anonymous} requests reached the server without credentials`] : [];
    return result('tenant-isolation', tenantsSeen.size >= 2, violations, { tenants: tenantsSeen.size }, notes);
  },
};
