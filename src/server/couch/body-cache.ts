/**
 * Finished response bodies by request, for one database generation. `_all_docs` bodies depend only on the query
 * string (and body, for POST) and the documents, so a repeated query costs a Map lookup; a write clears it all.
 * Bounded by bytes, counted as what an entry keeps alive; the oldest entries go first.
 */
export class BodyCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 4 * 1024 * 1024,
    private readonly maxEntryBytes = 1024 * 1024,
  ) {}

  get(key: string): Buffer | undefined {
    return this.entries.get(key);
  }

  set(key: string, pooled: Buffer): void {
    if (pooled.length > this.maxEntryBytes || this.entries.has(key)) return;
    // A small body is usually a slice of node's shared 8 KiB allocation pool, and keeping the slice keeps the whole
    // slab: a few thousand cached 300-byte bodies pinned 8 KiB each (measured: 25 MB per 1,000 verify runs).
    const body = pooled.byteLength < pooled.buffer.byteLength ? Buffer.from(new Uint8Array(pooled).buffer) : pooled;
    this.entries.set(key, body);
    this.bytes += body.length + key.length;
    for (const [oldKey, oldBody] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= oldBody.length + oldKey.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
