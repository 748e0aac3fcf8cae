import type { Operation } from '../../../src/clients/contract.js';

/**
 * The `_all_docs` parameters a request carried, in one comparable form whatever the client chose: query string or
 * JSON body, `startkey` or `start_key`. Values become JSON text (`"a"`, `3`, `true`), so `limit=3` and `"limit":3`
 * compare equal, and so do `startkey=%22a%22` and `"start_key":"a"`.
 */
export type Canonical = Record<string, string>;

const JSON_PARAMS = new Set(['key', 'keys', 'startkey', 'endkey', 'start_key', 'end_key']);
const ALIAS: Record<string, string> = { startkey: 'start_key', endkey: 'end_key' };

export function expectedParams(operation: Operation): Canonical | Canonical[] {
  if (operation.kind === 'queries') return (operation.params.queries as Array<Record<string, unknown>>).map(fromBody);
  return fromBody(operation.params);
}

export function receivedParams(served: { query: string; body?: string }, kind: Operation['kind']): Canonical | Canonical[] {
  const body = served.body !== undefined && served.body !== '' ? (JSON.parse(served.body) as Record<string, unknown>) : {};
  if (kind === 'queries') return (body.queries as Array<Record<string, unknown>>).map(fromBody);
  return { ...fromBody(body), ...fromQuery(served.query) };
}

function fromBody(params: Record<string, unknown>): Canonical {
  const canonical: Canonical = {};
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) canonical[ALIAS[name] ?? name] = JSON.stringify(value);
  }
  return canonical;
}

function fromQuery(query: string): Canonical {
  const canonical: Canonical = {};
  for (const [name, value] of new URLSearchParams(query)) {
    // Plain-string parameters that look like numbers or booleans compare as those: the server reads them so.
    const json = JSON_PARAMS.has(name) || /^(true|false|-?\d+)$/.test(value) ? value : JSON.stringify(value);
    canonical[ALIAS[name] ?? name] = JSON.stringify(JSON.parse(json));
  }
  return canonical;
}
