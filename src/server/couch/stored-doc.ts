import { utf8 } from './collation.js';
import { revToString, type Rev } from './revisions.js';

/** One leaf of a document's revision tree, with the body it carries. */
export interface Leaf {
  rev: Rev;
  revString: string;
  deleted: boolean;
  /** The body's members serialized without the braces ('' for an empty body), spliced after `_id`/`_rev`. */
  bodyInner: string;
  /** Revision strings from this leaf back toward the root, as far as known. */
  path: string[];
}

export function makeLeaf(rev: Rev, deleted: boolean, bodyInner: string, ancestors: readonly string[]): Leaf {
  const revString = revToString(rev);
  return { rev, revString, deleted, bodyInner, path: [revString, ...ancestors] };
}

/**
 * A document: its id and leaves, winner first. Immutable: a write makes a new StoredDoc, so the row fragments
 * cached here never go stale, and the database index only has to be rebuilt from the new set of documents.
 */
export class StoredDoc {
  readonly idBytes: Buffer;
  readonly idJson: string;
  private cachedRow: Buffer | undefined;
  private cachedRowWithDoc: Buffer | undefined;
  private cachedRowWithConflicts: Buffer | undefined;

  constructor(
    readonly id: string,
    /** Winner first (see `compareLeaves`). */
    readonly leaves: readonly Leaf[],
  ) {
    this.idBytes = utf8(id);
    this.idJson = JSON.stringify(id);
  }

  get winner(): Leaf {
    return this.leaves[0]!;
  }

  get deleted(): boolean {
    return this.winner.deleted;
  }

  /** Live leaves other than the winner, in leaf order (what `_conflicts` lists). */
  conflicts(): string[] {
    return this.leaves.slice(1).filter((leaf) => !leaf.deleted).map((leaf) => leaf.revString);
  }

  deletedConflicts(): string[] {
    return this.leaves.slice(1).filter((leaf) => leaf.deleted).map((leaf) => leaf.revString);
  }

  knows(revString: string): boolean {
    return this.leaves.some((leaf) => leaf.path.includes(revString));
  }

  /** `{"_id":…,"_rev":…,…body,"_deleted":true?,"_conflicts":[…]?}` for one leaf (`couch_doc:to_json_obj/2`). */
  docJson(leaf: Leaf, options: { conflicts?: boolean; deletedConflicts?: boolean; revisions?: boolean } = {}): string {
    let json = `{"_id":${this.idJson},"_rev":"${leaf.revString}"`;
    if (leaf.bodyInner !== '') json += `,${leaf.bodyInner}`;
    if (leaf.deleted) json += ',"_deleted":true';
    if (options.revisions === true) {
      const ids = leaf.path.map((revString) => revString.slice(revString.indexOf('-') + 1));
      json += `,"_revisions":${JSON.stringify({ start: leaf.rev.pos, ids })}`;
    }
    if (leaf === this.winner) {
      const conflicts = options.conflicts === true ? this.conflicts() : [];
      if (conflicts.length > 0) json += `,"_conflicts":${JSON.stringify(conflicts)}`;
      const deleted = options.deletedConflicts === true ? this.deletedConflicts() : [];
      if (deleted.length > 0) json += `,"_deleted_conflicts":${JSON.stringify(deleted)}`;
    }
    return json + '}';
  }

  /** `{"id":…,"key":…,"value":{"rev":…}}`: a live document's row. */
  row(): Buffer {
    this.cachedRow ??= Buffer.from(this.rowPrefix() + '}', 'utf8');
    return this.cachedRow;
  }

  /** The row with `"doc"`; with `conflicts` the doc lists `_conflicts` (only differs for conflicted documents). */
  rowWithDoc(conflicts: boolean): Buffer {
    if (conflicts && this.conflicts().length > 0) {
      this.cachedRowWithConflicts ??= Buffer.from(
        `${this.rowPrefix()},"doc":${this.docJson(this.winner, { conflicts: true })}}`,
        'utf8',
      );
      return this.cachedRowWithConflicts;
    }
    this.cachedRowWithDoc ??= Buffer.from(`${this.rowPrefix()},"doc":${this.docJson(this.winner)}}`, 'utf8');
    return this.cachedRowWithDoc;
  }

  /** The keys path's row for a deleted document: `value.deleted`, and `"doc":null` with include_docs. */
  deletedRow(includeDocs: boolean): Buffer {
    const value = `"value":{"rev":"${this.winner.revString}","deleted":true}`;
    return Buffer.from(`{"id":${this.idJson},"key":${this.idJson},${value}${includeDocs ? ',"doc":null' : ''}}`, 'utf8');
  }

  private rowPrefix(): string {
    return `{"id":${this.idJson},"key":${this.idJson},"value":{"rev":"${this.winner.revString}"}`;
  }
}

/** A `_local/` document: no revision tree, a counter for a revision, never in `_all_docs`. */
export interface LocalDoc {
  id: string;
  rev: number;
  bodyInner: string;
}

export function localDocJson(doc: LocalDoc): string {
  const body = doc.bodyInner === '' ? '' : `,${doc.bodyInner}`;
  return `{"_id":${JSON.stringify(doc.id)},"_rev":"0-${doc.rev}"${body}}`;
}
