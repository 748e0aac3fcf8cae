import { lowerBound, upperBound, utf8 } from './collation.js';
import type { Json } from './json.js';

/** The bounds of a range query over ids. A missing key falls back to the docid bound, then to "unbounded". */
export interface RangeBounds {
  startKey: Json | undefined;
  endKey: Json | undefined;
  startKeyDocId: string | undefined;
  endKeyDocId: string | undefined;
  descending: boolean;
  inclusiveEnd: boolean;
}

/**
 * A range in traversal order: positions `from` (inclusive) to `to` (exclusive), where position 0 is the first id
 * of the traversal (the smallest ascending, the largest descending). `to <= from` is an empty (e.g. reversed)
 * range. `from` is also how many ids precede the start in the traversal, which is what `offset` counts.
 */
export interface Span {
  from: number;
  to: number;
}

type Bound = { kind: 'unbounded' } | { kind: 'key'; key: Json };

function bound(key: Json | undefined, docId: string | undefined): Bound {
  if (key !== undefined) return { kind: 'key', key };
  if (docId !== undefined) return { kind: 'key', key: docId };
  return { kind: 'unbounded' };
}

/**
 * Erlang term order puts every number, atom (null, true, false), tuple (object) and list (array) before every
 * binary, and ids are binaries: a non-string bound lies below all ids.
 */
function position(ids: readonly Buffer[], key: Json, inclusive: 'lower' | 'upper'): number {
  if (typeof key !== 'string') return 0;
  return inclusive === 'lower' ? lowerBound(ids, utf8(key)) : upperBound(ids, utf8(key));
}

export function traversalSpan(ids: readonly Buffer[], bounds: RangeBounds): Span {
  const total = ids.length;
  const start = bound(bounds.startKey, bounds.startKeyDocId);
  const end = bound(bounds.endKey, bounds.endKeyDocId);
  if (!bounds.descending) {
    const from = start.kind === 'unbounded' ? 0 : position(ids, start.key, 'lower');
    const to =
      end.kind === 'unbounded' ? total : position(ids, end.key, bounds.inclusiveEnd ? 'upper' : 'lower');
    return { from, to };
  }
  // Descending: ascending index i is traversal position total - 1 - i.
  const startIndex = start.kind === 'unbounded' ? total : position(ids, start.key, 'upper');
  const endIndex = end.kind === 'unbounded' ? 0 : position(ids, end.key, bounds.inclusiveEnd ? 'lower' : 'upper');
  return { from: total - startIndex, to: total - endIndex };
}
