import type { Database } from './database.js';
import { rowOf, type RowVariant } from './db-index.js';
import type { Json } from './json.js';
import { traversalSpan } from './range.js';
import { localDocJson } from './stored-doc.js';
import type { AllDocsQuery } from './validate-args.js';

/**
 * One `_all_docs` result as chttpd streams it: the meta object opened up to `"rows":[\r\n`, then the rows joined
 * by `,\r\n`. The caller closes it (`\r\n]}`), alone or inside `/queries`' `{"results":[…]}`.
 */
export interface AllDocsResult {
  head: Buffer;
  rows: Buffer;
}

const SEPARATOR = Buffer.from(',\r\n');
const CLOSE_ROWS = Buffer.from('\r\n]}');
const CLOSE_SINGLE = Buffer.from('\r\n]}\n');
const OPEN_RESULTS = Buffer.from('{"results":[');
const FIRST_RESULT = Buffer.from('\r\n');
const CLOSE_RESULTS = Buffer.from('\r\n]}\n');

function variantOf(query: AllDocsQuery): RowVariant {
  if (!query.includeDocs) return 'row';
  return query.conflicts ? 'doc+conflicts' : 'doc';
}

function head(total: number, offset: number | null, updateSeq: string | null | undefined): Buffer {
  let text = `{"total_rows":${total},"offset":${offset === null ? 'null' : offset}`;
  if (updateSeq !== undefined) text += `,"update_seq":${updateSeq === null ? 'null' : `"${updateSeq}"`}`;
  return Buffer.from(text + ',"rows":[\r\n', 'utf8');
}

/** The range path: `offset = min(total_rows, skip + ids before the start in traversal order)`. */
function rangeResult(db: Database, query: AllDocsQuery): AllDocsResult {
  const index = db.index();
  const span = traversalSpan(index.ids, query);
  const first = span.from + query.skip;
  const last = Math.min(span.to, first + query.limit);
  const offset = Math.min(index.total, first);
  return {
    head: head(index.total, offset, query.updateSeq ? db.packedUpdateSeq() : undefined),
    rows: index.rows(first, last, query.descending, variantOf(query)),
  };
}

function keyRow(db: Database, key: Json, query: AllDocsQuery): Buffer {
  const notFound = (): Buffer => Buffer.from(`{"key":${JSON.stringify(key)},"error":"not_found"}`, 'utf8');
  // A non-string key cannot name a document; CouchDB's worker fails on it, the mock answers not_found.
  if (typeof key !== 'string') return notFound();
  if (key.startsWith('_local/')) {
    const local = db.local(key);
    if (local === undefined) return notFound();
    const idJson = JSON.stringify(key);
    const doc = query.includeDocs ? `,"doc":${localDocJson(local)}` : '';
    return Buffer.from(`{"id":${idJson},"key":${idJson},"value":{"rev":"0-${local.rev}"}${doc}}`, 'utf8');
  }
  const doc = db.doc(key);
  if (doc === undefined) return notFound();
  if (doc.deleted) return doc.deletedRow(query.includeDocs);
  return rowOf(doc, variantOf(query));
}

/** The keys path: rows in `keys` order (reversed when descending), then skip and limit; `offset` is null. */
function keysResult(db: Database, keys: Json[], query: AllDocsQuery): AllDocsResult {
  const ordered = query.descending ? [...keys].reverse() : keys;
  const selected = ordered.slice(query.skip, query.skip + query.limit);
  const parts: Buffer[] = [];
  selected.forEach((key, index) => {
    if (index > 0) parts.push(SEPARATOR);
    parts.push(keyRow(db, key, query));
  });
  return {
    head: head(db.index().total, null, query.updateSeq ? null : undefined),
    rows: Buffer.concat(parts),
  };
}

export function runAllDocs(db: Database, query: AllDocsQuery): AllDocsResult {
  return query.keys === undefined ? rangeResult(db, query) : keysResult(db, query.keys, query);
}

/** `{"total_rows":…,"offset":…,"rows":[\r\n{row},\r\n{row}\r\n]}\n` */
export function singleBody(result: AllDocsResult): Buffer {
  return Buffer.concat([result.head, result.rows, CLOSE_SINGLE]);
}

/** `{"results":[\r\n{…"rows":[\r\n…\r\n]},\r\n{…}\r\n]}\n` (`multi_all_docs_view`'s prepends). */
export function multiBody(results: readonly AllDocsResult[]): Buffer {
  const parts: Buffer[] = [OPEN_RESULTS];
  results.forEach((result, index) => {
    parts.push(index === 0 ? FIRST_RESULT : SEPARATOR, result.head, result.rows, CLOSE_ROWS);
  });
  parts.push(CLOSE_RESULTS);
  return Buffer.concat(parts);
}
