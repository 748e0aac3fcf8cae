/**
 * Finished response bodies by request, for one database generation. `_all_docs` bodies depend only on the query
 * string (and body, for POST) and the documents, so a repeated query costs a Map lookup; a write clears it all.
 * Bounded by bytes; the oldest entries go first.
 */
export class BodyCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 16 * 1024 * 1024,
    private readonly maxEntryBytes = 8 * 1024 * 1024,
  ) {}

  get(key: string): Buffer | undefined {
    return this.entries.get(key);
  }

  set(key: string, body: Buffer): void {
    if (body.length > this.maxEntryBytes || this.entries.has(key)) return;
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
