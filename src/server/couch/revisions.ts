import { createHash } from 'node:crypto';
import { badRequest } from './errors.js';

/** A revision `{Pos, RevId}`; `id` is 32 lowercase hex for generated revisions. */
export interface Rev {
  pos: number;
  id: string;
}

export const revToString = (rev: Rev): string => `${rev.pos}-${rev.id}`;

const HEX32 = /^[0-9a-fA-F]{32}$/;

/** `couch_doc:parse_rev/1`: `N-id`, where a 32-character id with N ≠ 0 must be hex (and is stored lowercased). */
export function parseRev(text: string): Rev {
  const dash = text.indexOf('-');
  if (dash < 0) throw badRequest('Invalid rev format');
  const posText = text.slice(0, dash);
  const id = text.slice(dash + 1);
  if (!/^[+-]?[0-9]+$/.test(posText)) throw badRequest('Invalid rev format');
  const pos = Number(posText);
  if (pos !== 0 && id.length === 32) {
    if (!HEX32.test(id)) throw badRequest('Invalid rev format');
    return { pos, id: id.toLowerCase() };
  }
  return { pos, id };
}

/**
 * A new revision id. CouchDB hashes the edit (deleted flag, previous revision, body); so do we, so the same edit
 * on the same revision gives the same id, and a replayed run the same revisions.
 */
export function newRevId(deleted: boolean, previous: Rev | undefined, bodyInner: string): string {
  const hash = createHash('md5');
  hash.update(JSON.stringify([deleted, previous?.pos ?? 0, previous?.id ?? '', bodyInner]));
  return hash.digest('hex');
}

/** Leaf order of `couch_doc:to_doc_info/1`: live before deleted, then the highest position, then the highest id. */
export function compareLeaves(a: { rev: Rev; deleted: boolean }, b: { rev: Rev; deleted: boolean }): number {
  if (a.deleted !== b.deleted) return a.deleted ? 1 : -1;
  if (a.rev.pos !== b.rev.pos) return b.rev.pos - a.rev.pos;
  return Buffer.compare(Buffer.from(b.rev.id, 'latin1'), Buffer.from(a.rev.id, 'latin1'));
}
