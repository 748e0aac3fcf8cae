import type { ClientTraits, Credentials, Operation } from '../contract.js';

/**
 * The worker protocol, version 1: JSON lines over the worker's stdin (crosstalk → worker) and stdout (worker →
 * crosstalk). The README's "Writing a worker in any language" is its specification; this file is its types and the
 * validation of every line a worker writes. stderr is not part of it.
 */
export const EXEC_PROTOCOL = 1 as const;

/** Starts a session: the worker creates ONE client from these options and shares it between the session's ops. */
export interface HelloMessage {
  type: 'hello';
  protocol: typeof EXEC_PROTOCOL;
  session: string;
  origin: string;
  /** A PEM file with the CA that signs the mock's certificate: trust it, never disable verification. */
  caFile: string;
  connections: number;
  timeoutMs: number;
  /** The most callers a run has at once: a worker on a thread pool needs at least this many threads. */
  callers: number;
}

export interface OpMessage {
  type: 'op';
  session: string;
  /** The request id: send it as `X-Couch-Request-ID`, echo it in the answer. Unique within the session. */
  id: string;
  caller: string;
  kind: Operation['kind'];
  db: string;
  params: Record<string, unknown>;
  credentials: Credentials;
  /** The same operation already on the wire's terms, for workers that do not build requests themselves. */
  method: 'GET' | 'POST';
  path: string;
  body: string | null;
}

export interface AbortMessage {
  type: 'abort';
  session: string;
  id: string;
}

export interface CloseMessage {
  type: 'close';
  session: string;
}

export type ToWorker = HelloMessage | OpMessage | AbortMessage | CloseMessage;

export interface ReadyMessage {
  type: 'ready';
  session: string;
  traits: ClientTraits | undefined;
  /** The worker's own description of its client (library and runtime versions), for the report. */
  client: string | undefined;
}

export interface ResultMessage {
  type: 'result';
  session: string;
  id: string;
  status: number;
  requestId: string | null;
  body: string;
}

export interface ErrorMessage {
  type: 'error';
  session: string;
  id: string;
  code: string;
  message: string;
}

export interface ClosedMessage {
  type: 'closed';
  session: string;
}

export interface FatalMessage {
  type: 'fatal';
  message: string;
}

export type FromWorker = ReadyMessage | ResultMessage | ErrorMessage | ClosedMessage | FatalMessage;

export type ParsedLine = { ok: true; message: FromWorker } | { ok: false; problem: string };

type Fields = Record<string, unknown>;

const isString = (value: unknown): value is string => typeof value === 'string';

function stringField(fields: Fields, name: string): string | null {
  const value = fields[name];
  return isString(value) && value.length > 0 ? value : null;
}

function traitsOf(value: unknown): { ok: true; traits: ClientTraits | undefined } | { ok: false; problem: string } {
  if (value === undefined || value === null) return { ok: true, traits: undefined };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: '"traits" is not an object' };
  const raw = value as Fields;
  const traits: ClientTraits = {};
  const positive = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 1;
  if (raw.maxSockets !== undefined) {
    if (raw.maxSockets !== null && !positive(raw.maxSockets)) {
      return { ok: false, problem: '"traits.maxSockets" must be a whole number ≥ 1, or null for no bound' };
    }
    traits.maxSockets = raw.maxSockets as number | null;
  }
  if (raw.pipelining !== undefined) {
    if (!positive(raw.pipelining)) return { ok: false, problem: '"traits.pipelining" must be a whole number ≥ 1' };
    traits.pipelining = raw.pipelining as number;
  }
  for (const flag of ['reuses', 'retriesIdempotent'] as const) {
    if (raw[flag] === undefined) continue;
    if (typeof raw[flag] !== 'boolean') return { ok: false, problem: `"traits.${flag}" must be true or false` };
    traits[flag] = raw[flag];
  }
  const unknown = Object.keys(raw).filter((k) => !['maxSockets', 'pipelining', 'reuses', 'retriesIdempotent'].includes(k));
  if (unknown.length > 0) return { ok: false, problem: `"traits" has unknown field ${unknown.join(', ')}` };
  return { ok: true, traits };
}

/** One stdout line of a worker, as a message or the reason it is none. Blank lines are not passed here. */
export function parseWorkerLine(line: string): ParsedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'it is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'it is not a JSON object' };
  }
  const fields = parsed as Fields;
  const type = fields.type;
  if (type === 'fatal') {
    return { ok: true, message: { type, message: isString(fields.message) ? fields.message : JSON.stringify(fields) } };
  }
  const session = stringField(fields, 'session');
  if (session === null) return { ok: false, problem: `it has no "session"${isString(type) ? '' : ' and no "type"'}` };
  if (type === 'ready') {
    const traits = traitsOf(fields.traits);
    if (!traits.ok) return traits;
    return { ok: true, message: { type, session, traits: traits.traits, client: isString(fields.client) ? fields.client : undefined } };
  }
  if (type === 'closed') return { ok: true, message: { type, session } };
  if (type !== 'result' && type !== 'error') {
    return { ok: false, problem: `its "type" is ${JSON.stringify(type)}, not one of ready, result, error, closed, fatal` };
  }
  const id = stringField(fields, 'id');
  if (id === null) return { ok: false, problem: `a ${type} without an "id" (the request id it answers)` };
  if (type === 'error') {
    const code = stringField(fields, 'code');
    if (code === null) return { ok: false, problem: 'an error without a "code"' };
    return { ok: true, message: { type, session, id, code, message: isString(fields.message) ? fields.message : '' } };
  }
  const status = fields.status;
  if (!Number.isSafeInteger(status) || (status as number) < 100 || (status as number) > 599) {
    return { ok: false, problem: 'a result whose "status" is not an HTTP status (100–599)' };
  }
  const requestId = fields.requestId ?? null;
  if (requestId !== null && !isString(requestId)) return { ok: false, problem: 'a result whose "requestId" is not a string or null' };
  if (!isString(fields.body)) return { ok: false, problem: 'a result without a "body" string' };
  return { ok: true, message: { type, session, id, status: status as number, requestId, body: fields.body } };
}
