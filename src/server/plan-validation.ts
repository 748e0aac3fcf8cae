import { ConfigError, ConfigErrorCode } from '../errors.js';

/**
 * The fields of a plan in a plan file (`serve --plan`), each with the check its value must pass. A mistake is a
 * ConfigError naming the field and saying what it takes, never a crash or a fault silently not applied.
 */
type Check = (value: unknown) => string | null;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const wholeNumber = (min: number, max = 3_600_000): Check => (value) =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max ? null : `a whole number from ${min} to ${max}`;
const flag: Check = (value) => (typeof value === 'boolean' ? null : 'true or false');
const oneOf = (...allowed: unknown[]): Check => (value) =>
  allowed.includes(value) ? null : `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
const ascending: Check = (value) =>
  Array.isArray(value) && value.every((n, i) => Number.isSafeInteger(n) && n >= 0 && (i === 0 || n > (value[i - 1] as number)))
    ? null
    : 'an ascending array of byte offsets';
const names: Check = (value) =>
  Array.isArray(value) && value.every((n) => typeof n === 'string') ? null : 'an array of fault names';
/** An object whose fields pass their checks, with `required` fields present. */
const shaped =
  (fields: Record<string, Check>, required: string[] = []): Check =>
  (value) => {
    if (!isObject(value)) return `an object with ${Object.keys(fields).join(', ')}`;
    for (const name of required) if (!(name in value)) return `an object with ${name}`;
    for (const [name, field] of Object.entries(value)) {
      const check = fields[name];
      if (check === undefined) return `an object with only ${Object.keys(fields).join(', ')}`;
      const wrong = check(field);
      if (wrong !== null) return `an object whose ${name} is ${wrong}`;
    }
    return null;
  };
/** One of several shapes, told apart by `kind`. */
const byKind =
  (shapes: Record<string, Record<string, Check>>): Check =>
  (value) => {
    const kinds = Object.keys(shapes);
    if (!isObject(value) || typeof value.kind !== 'string' || !(value.kind in shapes)) {
      return `an object whose kind is one of ${kinds.join(', ')}`;
    }
    const fields = shapes[value.kind]!;
    return shaped({ kind: () => null, ...fields }, Object.keys(fields))(value);
  };

/** Every field a plan file's plan may have, as `ResponsePlan` documents them. */
export const PLAN_FIELDS: Readonly<Record<string, Check>> = {
  headerDelayMs: wholeNumber(0),
  bodyDelayMs: wholeNumber(0),
  splitAt: ascending,
  dripMs: wholeNumber(0),
  interim: (value) => (Array.isArray(value) && value.every((c) => c === 100 || c === 103) ? null : 'an array of 100 and 103'),
  connectionClose: flag,
  keepAliveHintS: wholeNumber(0, 3_600),
  finAfter: flag,
  idleCloseMs: wholeNumber(0),
  resetAtByte: wholeNumber(0, 2 ** 31),
  resetBeforeAnswer: flag,
  replaceWith: shaped(
    { status: oneOf(429, 503, 500), retryAfterS: wholeNumber(0, 86_400), bodyBytes: wholeNumber(0, 64 * 1024 * 1024) },
    ['status'],
  ),
  trailers: flag,
  stray: oneOf('duplicate', 'unsolicited'),
  silenceMs: wholeNumber(0),
  stallAtByte: wholeNumber(0, 2 ** 31),
  failFirst: shaped({ attempts: wholeNumber(1, 1_000), with: oneOf(503, 'reset', 'close') }, ['attempts', 'with']),
  closeBeforeAnswer: flag,
  cutRequestBody: oneOf('close', 'reset'),
  expectFinal: flag,
  malformed: byKind({
    'bad-chunk-size': { atByte: wholeNumber(0, 2 ** 31) },
    garbage: { bytes: wholeNumber(1, 1024 * 1024) },
    'short-body': { missing: wholeNumber(1, 2 ** 31) },
  }),
  padBodyTo: wholeNumber(0, 64 * 1024 * 1024),
  keepAliveMax: wholeNumber(0, 1_000),
  faults: names,
};

/** What the server can do to a connection (`connections` in a plan file): `ConnectFault`. */
export const CONNECT_FAULT = byKind({
  'tls-alert': {},
  'tls-stall': { stallMs: wholeNumber(0) },
  'accept-silent': { silenceMs: wholeNumber(0) },
  'connection-refused': {},
});

export function bad(message: string): ConfigError {
  return new ConfigError(ConfigErrorCode.BadOption, message);
}

/** Checks one plan's fields against `fields`; throws a ConfigError naming `where` and the field. */
export function validateFields(where: string, plan: unknown, fields: Readonly<Record<string, Check>>): void {
  if (!isObject(plan)) throw bad(`${where} must be an object.`);
  const unknown = Object.keys(plan).filter((key) => !(key in fields));
  if (unknown.length > 0) {
    throw bad(`${where} has unknown field ${unknown.join(', ')}; plan fields: ${Object.keys(fields).join(', ')}.`);
  }
  for (const [name, value] of Object.entries(plan)) {
    const wrong = fields[name]!(value);
    if (wrong !== null) throw bad(`${where}.${name} must be ${wrong} (got ${JSON.stringify(value)}).`);
  }
}
