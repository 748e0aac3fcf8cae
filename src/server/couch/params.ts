import { CouchError, invalidJson, queryParseError } from './errors.js';
import { formatByteList, formatJsonTerm } from './erlang-term.js';
import { parseJsonBytes, type Json, type JsonObject } from './json.js';
import type { QueryPair } from './query-string.js';

/**
 * View parameters as `couch_mrview_http:parse_param/4` reads them. A query-string value arrives as bytes (JSON
 * parameters are decoded, others compared as text); a JSON body member arrives decoded. The difference shows in
 * error messages (`"abc"` vs `<<"abc">>`) and in which spellings are accepted.
 */
export type ParamValue = { kind: 'query'; bytes: Buffer } | { kind: 'json'; value: Json };

/** `?MAX_VIEW_LIMIT` (16#7FFFFFFFFFFFFFF): the default limit, and the largest one accepted. */
export const MAX_VIEW_LIMIT = 0x7ffffffffffffffn;

/** The parsed, not yet validated, arguments (`#mrargs{}`). */
export interface ViewArgs {
  keys: Json | undefined;
  startKey: Json | undefined;
  endKey: Json | undefined;
  startKeyDocId: string | undefined;
  endKeyDocId: string | undefined;
  descending: boolean;
  limit: bigint;
  skip: bigint;
  inclusiveEnd: boolean;
  includeDocs: boolean;
  conflicts: boolean | undefined;
  updateSeq: boolean;
  sorted: boolean;
  attachments: boolean;
  attEncodingInfo: boolean;
  reduce: boolean | undefined;
  group: boolean | undefined;
  groupLevel: bigint | undefined;
  partition: string | undefined;
}

export function defaultArgs(keys: Json[] | undefined): ViewArgs {
  return {
    keys,
    startKey: undefined,
    endKey: undefined,
    startKeyDocId: undefined,
    endKeyDocId: undefined,
    descending: false,
    limit: MAX_VIEW_LIMIT,
    skip: 0n,
    inclusiveEnd: true,
    includeDocs: false,
    conflicts: undefined,
    updateSeq: false,
    sorted: true,
    attachments: false,
    attEncodingInfo: false,
    reduce: undefined,
    group: undefined,
    groupLevel: undefined,
    partition: undefined,
  };
}

function toJson(value: ParamValue): Json {
  if (value.kind === 'json') return value.value;
  const parsed = parseJsonBytes(value.bytes);
  if (!parsed.ok) throw invalidJson();
  return parsed.value;
}

/** `~p` of the value as CouchDB received it. */
function show(value: ParamValue): string {
  return value.kind === 'query' ? formatByteList(value.bytes) : formatJsonTerm(value.value);
}

/** Text for a value compared as a string: query bytes, or a JSON string (`"ok"` and `<<"ok">>` both match). */
function text(value: ParamValue): string | undefined {
  if (value.kind === 'query') return value.bytes.toString('latin1');
  return typeof value.value === 'string' ? value.value : undefined;
}

/** `couch_util:to_binary/1`, for the raw-string parameters (`startkey_docid`, `partition`). */
function toBinary(value: ParamValue): string {
  if (value.kind === 'query') return value.bytes.toString('utf8');
  const json = value.value;
  if (typeof json === 'string') return json;
  if (json === null || typeof json === 'boolean' || typeof json === 'number') return String(json);
  return formatJsonTerm(json);
}

function parseBoolean(value: ParamValue): boolean {
  if (value.kind === 'json' && typeof value.value === 'boolean') return value.value;
  const asText = text(value);
  if (asText !== undefined) {
    const lower = asText.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  // A JSON string is turned into a list before printing, so it shows as "foo", not <<"foo">>.
  const printed =
    value.kind === 'json' && typeof value.value === 'string'
      ? formatByteList(Buffer.from(value.value, 'utf8'))
      : show(value);
  throw queryParseError(`Invalid boolean parameter: ${printed}`);
}

function parseInteger(value: ParamValue): bigint {
  if (value.kind === 'json') {
    if (typeof value.value === 'number' && Number.isInteger(value.value)) return BigInt(value.value);
  } else {
    // list_to_integer/1: an optional sign, then decimal digits, nothing else.
    const digits = value.bytes.toString('latin1');
    if (/^[+-]?[0-9]+$/.test(digits)) return BigInt(digits);
  }
  throw queryParseError(`Invalid value for integer: ${show(value)}`);
}

function parsePositiveInteger(value: ParamValue): bigint {
  const parsed = parseInteger(value);
  if (parsed < 0n) throw queryParseError(`Invalid value for positive integer: ${show(value)}`);
  return parsed;
}

function validatePartition(partition: string): void {
  const illegal = (reason: string): CouchError => new CouchError(400, 'illegal_partition', reason);
  if (partition === '') throw illegal('Partition must not be empty');
  if (partition.startsWith('_')) throw illegal('Partition must not start with an underscore');
  if (partition.includes(':')) throw illegal('Partition must not contain a colon');
}

/** Applies one parameter, as `parse_param/4` does; unknown names are ignored. */
function applyParam(args: ViewArgs, name: string, value: ParamValue): void {
  switch (name) {
    case 'reduce':
      args.reduce = parseBoolean(value);
      return;
    case 'key': {
      const key = toJson(value);
      args.startKey = key;
      args.endKey = key;
      return;
    }
    case 'keys': {
      // A single key is also a range `[K, K]`: that is what keeps `keys=[K]&key=K` compatible.
      const keys = toJson(value);
      if (Array.isArray(keys) && keys.length === 1) {
        args.startKey = keys[0];
        args.endKey = keys[0];
      } else {
        args.keys = keys;
      }
      return;
    }
    case 'startkey':
    case 'start_key':
      args.startKey = toJson(value);
      return;
    case 'endkey':
    case 'end_key':
      args.endKey = toJson(value);
      return;
    case 'startkey_docid':
    case 'start_key_doc_id':
      args.startKeyDocId = toBinary(value);
      return;
    case 'endkey_docid':
    case 'end_key_doc_id':
      args.endKeyDocId = toBinary(value);
      return;
    case 'limit':
      args.limit = parsePositiveInteger(value);
      return;
    case 'skip':
      args.skip = parsePositiveInteger(value);
      return;
    case 'stale': {
      const stale = text(value);
      if (stale !== 'ok' && stale !== 'update_after') throw queryParseError('Invalid value for `stale`.');
      return;
    }
    case 'stable':
      if (!isOneOf(value, ['true', 'false'], true)) throw queryParseError('Invalid value for `stable`.');
      return;
    case 'update':
      if (!isOneOf(value, ['true', 'false', 'lazy'], true)) throw queryParseError('Invalid value for `update`.');
      return;
    case 'descending':
      args.descending = parseBoolean(value);
      return;
    case 'group':
      args.group = parseBoolean(value);
      return;
    case 'group_level':
      args.groupLevel = parsePositiveInteger(value);
      return;
    case 'inclusive_end':
      args.inclusiveEnd = parseBoolean(value);
      return;
    case 'include_docs':
      args.includeDocs = parseBoolean(value);
      return;
    case 'attachments':
      args.attachments = parseBoolean(value);
      return;
    case 'att_encoding_info':
      args.attEncodingInfo = parseBoolean(value);
      return;
    case 'update_seq':
      args.updateSeq = parseBoolean(value);
      return;
    case 'conflicts':
      args.conflicts = parseBoolean(value);
      return;
    case 'sorted':
      args.sorted = parseBoolean(value);
      return;
    case 'partition':
      args.partition = toBinary(value);
      validatePartition(args.partition);
      return;
    default:
      // `callback` (JSONP, off by default), `""` and anything unknown change nothing on `_all_docs`.
      return;
  }
}

function isOneOf(value: ParamValue, texts: string[], allowBooleans: boolean): boolean {
  if (value.kind === 'json' && typeof value.value === 'boolean') return allowBooleans;
  const asText = text(value);
  return asText !== undefined && texts.includes(asText);
}

export function applyQuery(args: ViewArgs, pairs: readonly QueryPair[]): void {
  for (const pair of pairs) applyParam(args, pair.key, { kind: 'query', bytes: pair.value });
}

export function applyBody(args: ViewArgs, body: JsonObject): void {
  for (const [name, value] of Object.entries(body)) applyParam(args, name, { kind: 'json', value });
}
