import { createHash } from 'node:crypto';
import { BodyCache } from './body-cache.js';
import { DbIndex } from './db-index.js';
import { badRequest, conflict } from './errors.js';
import { namedRev, type IncomingDoc } from './incoming-doc.js';
import type { JsonObject } from './json.js';
import { compareLeaves, newRevId, revToString, type Rev } from './revisions.js';
import { StoredDoc, makeLeaf, type Leaf, type LocalDoc } from './stored-doc.js';

/** `{"admins":{"names","roles"},"members":{"names","roles"}}` as stored and served by `/{db}/_security`. */
export type SecurityObject = JsonObject;

/** `[couchdb] default_security = admin_only`: a database created through the API is for admins until granted. */
export const ADMIN_ONLY_SECURITY: SecurityObject = { members: { roles: ['_admin'] }, admins: { roles: ['_admin'] } };

const bodyInnerOf = (body: JsonObject): string => JSON.stringify(body).slice(1, -1);

/** An opaque clustered sequence, shaped like CouchDB's `N-g1AAAA…` and stable for a given database and N. */
export function packedSeq(dbName: string, seq: number): string {
  const digest = createHash('sha256').update(`${dbName}:${seq}`).digest('base64url');
  return `${seq}-g1AAAA${digest}`;
}

/**
 * One database: documents with revision trees, `_local` documents, a sequence, a security object, and the
 * `_all_docs` index, rebuilt lazily after a write.
 */
export class Database {
  private readonly docs = new Map<string, StoredDoc>();
  private readonly locals = new Map<string, LocalDoc>();
  private cachedIndex: DbIndex | undefined;
  private seq = 0;
  /** `_all_docs` bodies of this generation; cleared by every write, `_local` ones included (the keys path shows them). */
  readonly bodies = new BodyCache();

  constructor(
    readonly name: string,
    public security: SecurityObject,
  ) {}

  get updateSeq(): number {
    return this.seq;
  }

  packedUpdateSeq(): string {
    return packedSeq(this.name, this.seq);
  }

  doc(id: string): StoredDoc | undefined {
    return this.docs.get(id);
  }

  local(id: string): LocalDoc | undefined {
    return this.locals.get(id);
  }

  index(): DbIndex {
    this.cachedIndex ??= new DbIndex(Array.from(this.docs.values()).filter((doc) => !doc.deleted));
    return this.cachedIndex;
  }

  /** An interactive edit (`new_edits=true`): extends the named leaf, or creates; 409 on a stale or missing rev. */
  edit(id: string, incoming: IncomingDoc): string {
    const existing = this.docs.get(id);
    const previous = namedRev(incoming);
    let base: Leaf | undefined;
    if (existing === undefined) {
      if (previous !== undefined) throw conflict();
    } else if (previous === undefined) {
      // Without a rev only a deleted document may be written again; the new revision extends its tombstone.
      if (!existing.deleted) throw conflict();
      base = existing.winner;
    } else {
      const named = revToString(previous);
      base = existing.leaves.find((leaf) => leaf.revString === named);
      if (base === undefined) throw conflict();
    }
    const bodyInner = bodyInnerOf(incoming.body);
    const rev: Rev = { pos: (base?.rev.pos ?? 0) + 1, id: newRevId(incoming.deleted, base?.rev, bodyInner) };
    const leaf = makeLeaf(rev, incoming.deleted, bodyInner, base?.path ?? []);
    const others = existing?.leaves.filter((other) => other !== base) ?? [];
    this.store(id, [leaf, ...others]);
    return leaf.revString;
  }

  /** A replicated write (`new_edits=false`): the revision is taken as given, and may become a conflict. */
  replicate(id: string, incoming: IncomingDoc): string {
    const revs = incoming.revs;
    if (revs === undefined || revs.ids.length === 0) {
      throw badRequest('When `new_edits: false`, the document needs `_rev` or `_revisions` specified');
    }
    const path = revs.ids.map((revId, depth) => `${revs.start - depth}-${revId}`);
    const existing = this.docs.get(id);
    if (existing?.knows(path[0]!)) return path[0]!;
    const oldest = path[path.length - 1]!;
    const ancestorLeaf = existing?.leaves.find((leaf) => leaf.path.includes(oldest));
    const olderAncestors = ancestorLeaf ? ancestorLeaf.path.slice(ancestorLeaf.path.indexOf(oldest) + 1) : [];
    const leaf = makeLeaf(
      { pos: revs.start, id: revs.ids[0]! },
      incoming.deleted,
      bodyInnerOf(incoming.body),
      [...path.slice(1), ...olderAncestors],
    );
    const others = existing?.leaves.filter((other) => !path.includes(other.revString)) ?? [];
    this.store(id, [leaf, ...others]);
    return leaf.revString;
  }

  /**
   * `_local` documents have no revision tree and no conflict check: the last write wins, and the revision is
   * the given one plus one (`couch_db_updater:increment_local_doc_revs/1`). Deleting removes it.
   */
  writeLocal(id: string, incoming: IncomingDoc): string {
    this.bodies.clear();
    if (incoming.deleted) {
      this.locals.delete(id);
      return '0-0';
    }
    let next = 1;
    const previous = namedRev(incoming);
    if (previous !== undefined) {
      if (previous.pos !== 0 || !/^[0-9]+$/.test(previous.id)) throw badRequest('Invalid rev format');
      next = Number(previous.id) + 1;
    }
    this.locals.set(id, { id, rev: next, bodyInner: bodyInnerOf(incoming.body) });
    return `0-${next}`;
  }

  /** Fixture loading: a `_local` document exactly as written in the fixture. */
  loadLocal(id: string, rev: number, body: JsonObject): void {
    this.locals.set(id, { id, rev, bodyInner: bodyInnerOf(body) });
  }

  /** `GET /{db}`, keys in the order fabric_db_info merges them. */
  info(): JsonObject {
    let docCount = 0;
    let deletedCount = 0;
    let external = 0;
    for (const doc of this.docs.values()) {
      if (doc.deleted) deletedCount += 1;
      else {
        docCount += 1;
        external += Buffer.byteLength(doc.winner.bodyInner) + 2;
      }
    }
    const active = external + 64 * (docCount + deletedCount);
    return {
      instance_start_time: '0',
      db_name: this.name,
      purge_seq: packedSeq(this.name, 0),
      update_seq: this.packedUpdateSeq(),
      sizes: { file: Math.ceil((active + 8192) / 4096) * 4096, external, active },
      props: {},
      doc_del_count: deletedCount,
      doc_count: docCount,
      disk_format_version: 8,
      compact_running: false,
      cluster: { q: 2, n: 1, w: 1, r: 1 },
    };
  }

  private store(id: string, leaves: Leaf[]): void {
    leaves.sort(compareLeaves);
    this.docs.set(id, new StoredDoc(id, leaves));
    this.seq += 1;
    this.cachedIndex = undefined;
    this.bodies.clear();
  }
}
