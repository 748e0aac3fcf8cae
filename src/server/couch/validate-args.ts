import { queryParseError } from './errors.js';
import type { Json } from './json.js';
import { MAX_VIEW_LIMIT, type ViewArgs } from './params.js';

/** What an `_all_docs` query needs once its arguments passed `couch_mrview_util:validate_args/1`. */
export interface AllDocsQuery {
  /** The keys path when set; the range path otherwise. */
  keys: Json[] | undefined;
  startKey: Json | undefined;
  endKey: Json | undefined;
  startKeyDocId: string | undefined;
  endKeyDocId: string | undefined;
  descending: boolean;
  /** Number.MAX_SAFE_INTEGER stands for "no limit". */
  limit: number;
  skip: number;
  inclusiveEnd: boolean;
  includeDocs: boolean;
  conflicts: boolean;
  updateSeq: boolean;
}

/** Erlang's exact term equality (`=:=`) on decoded JSON. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  const entriesA = Object.entries(a);
  const entriesB = Object.entries(b as Record<string, Json>);
  return (
    entriesA.length === entriesB.length &&
    entriesA.every(([key, value], index) => entriesB[index]?.[0] === key && jsonEqual(value, entriesB[index]?.[1]))
  );
}

function groupLevel(args: ViewArgs): 'exact' | bigint {
  if (args.group === undefined && args.groupLevel === undefined) return 0n;
  if (args.group === false && args.groupLevel === undefined) return 0n;
  if (args.group === false && args.groupLevel !== undefined && args.groupLevel > 0n) {
    throw queryParseError("Can't specify group=false and group_level>0 at the same time");
  }
  if (args.group === true && args.groupLevel === undefined) return 'exact';
  return args.groupLevel ?? 0n;
}

function keysCompatible(keys: Json[], startKey: Json | undefined, endKey: Json | undefined): boolean {
  if (keys.length === 0) return true;
  if (keys.length === 1 && jsonEqual(keys[0], startKey) && jsonEqual(keys[0], endKey)) return true;
  return startKey === undefined && endKey === undefined;
}

const toSafeNumber = (value: bigint): number =>
  value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);

/** `validate_all_docs_args`: the checks, in CouchDB's order, for a map-only "view" over document ids. */
export function validateAllDocsArgs(args: ViewArgs): AllDocsQuery {
  const level = groupLevel(args);
  if (args.reduce === true) throw queryParseError('Reduce is invalid for map-only views.');
  let keys: Json[] | undefined;
  if (args.keys !== undefined) {
    if (!Array.isArray(args.keys)) throw queryParseError('`keys` must be an array of strings.');
    if (!keysCompatible(args.keys, args.startKey, args.endKey)) {
      throw queryParseError('`keys` is incompatible with `key`, `start_key` and `end_key`');
    }
    keys = args.keys;
  }
  if (level !== 0n) throw queryParseError('Invalid use of grouping on a map view.');
  if (args.partition !== undefined) throw queryParseError('`partition` parameter is not supported on this db');
  if (args.limit > MAX_VIEW_LIMIT) {
    throw queryParseError(`Limit is too large, must not exceed ${MAX_VIEW_LIMIT.toString()}`);
  }
  return {
    keys,
    startKey: args.startKey,
    endKey: args.endKey,
    startKeyDocId: args.startKeyDocId,
    endKeyDocId: args.endKeyDocId,
    descending: args.descending,
    limit: toSafeNumber(args.limit),
    skip: toSafeNumber(args.skip),
    inclusiveEnd: args.inclusiveEnd,
    includeDocs: args.includeDocs,
    conflicts: args.conflicts === true,
    updateSeq: args.updateSeq,
  };
}
