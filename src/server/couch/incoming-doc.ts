import { badRequest, docValidation, illegalDocId } from './errors.js';
import { isJsonObject, type Json, type JsonObject } from './json.js';
import { parseRev, type Rev } from './revisions.js';

/** A document as a client sent it (`couch_doc:from_json_obj/1`): the special members taken out, the body kept. */
export interface IncomingDoc {
  /** The body's `_id`, when it had one. */
  id: string | undefined;
  /** From `_revisions` (wins) or `_rev`: the newest first, `pos` descending from `start`. */
  revs: { start: number; ids: string[] } | undefined;
  deleted: boolean;
  /** Members that are not special, in the order received (`_access` and `_replication_*` stay in the body). */
  body: JsonObject;
}

const KEPT_SPECIALS = new Set([
  '_access', '_replication_state', '_replication_state_time', '_replication_state_reason', '_replication_id',
  '_replication_stats',
]);
const IGNORED_SPECIALS = new Set(['_revs_info', '_local_seq', '_conflicts', '_deleted_conflicts', '_attachments']);

/** `couch_doc:validate_docid/1`. */
export function validateDocId(id: Json | undefined): string {
  if (typeof id !== 'string') throw illegalDocId('Document id must be a string');
  if (id === '') throw illegalDocId('Document id must not be empty');
  if (id === '_design/') throw illegalDocId('Illegal document id `_design/`');
  if (id === '_local/') throw illegalDocId('Illegal document id `_local/`');
  if (id.startsWith('_') && !id.startsWith('_design/') && !id.startsWith('_local/')) {
    throw illegalDocId('Only reserved document ids may start with underscore.');
  }
  return id;
}

function parseRevisions(value: Json): { start: number; ids: string[] } {
  const props = isJsonObject(value) ? value : {};
  const start = props['start'];
  const ids = props['ids'];
  if (typeof start !== 'number' || !Number.isInteger(start)) throw docValidation("_revisions.start isn't an integer.");
  if (!Array.isArray(ids)) throw docValidation("_revisions.ids isn't a array.");
  return {
    start,
    ids: ids.map((id) => {
      if (typeof id !== 'string') throw docValidation("RevId isn't a string");
      if (start !== 0 && id.length === 32) {
        if (!/^[0-9a-fA-F]{32}$/.test(id)) throw docValidation("RevId isn't a valid hexadecimal");
        return id.toLowerCase();
      }
      return id;
    }),
  };
}

export function parseIncomingDoc(json: Json): IncomingDoc {
  if (!isJsonObject(json)) throw badRequest('Document must be a JSON object');
  const doc: IncomingDoc = { id: undefined, revs: undefined, deleted: false, body: {} };
  for (const [key, value] of Object.entries(json)) {
    if (!key.startsWith('_') || KEPT_SPECIALS.has(key)) {
      doc.body[key] = value;
    } else if (key === '_id') {
      doc.id = validateDocId(value);
    } else if (key === '_rev') {
      if (doc.revs === undefined) {
        if (typeof value !== 'string') throw badRequest('Invalid rev format');
        const rev: Rev = parseRev(value);
        doc.revs = { start: rev.pos, ids: [rev.id] };
      }
    } else if (key === '_revisions') {
      doc.revs = parseRevisions(value);
    } else if (key === '_deleted' && typeof value === 'boolean') {
      doc.deleted = value;
    } else if (!IGNORED_SPECIALS.has(key)) {
      throw docValidation(`Bad special document member: ${key}`);
    }
  }
  return doc;
}

/** The leaf revision an incoming doc names (`_rev`, or the head of `_revisions`), if any. */
export function namedRev(doc: IncomingDoc): Rev | undefined {
  const head = doc.revs?.ids[0];
  return doc.revs === undefined || head === undefined ? undefined : { pos: doc.revs.start, id: head };
}
