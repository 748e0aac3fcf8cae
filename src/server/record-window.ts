/**
 * An append-only list addressed by absolute position (the count of items ever appended), of which only a suffix is
 * kept: `dropBefore(position)` forgets everything older. Positions never shift, so a mark taken before a drop still
 * means the same item after it. Dropping is done in chunks, so each append costs O(1) amortized.
 */
export class RecordWindow<T> {
  private items: Array<T | undefined> = [];
  /** Absolute position of `items[0]`. */
  private offset = 0;
  /** Items below this position are forgotten; they leave `items` once enough of them have piled up. */
  private floor = 0;

  /** Items ever appended. */
  get total(): number {
    return this.offset + this.items.length;
  }

  /** The oldest position still readable. */
  get start(): number {
    return this.floor;
  }

  /** Items currently held in memory. */
  get held(): number {
    return this.total - this.floor;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Forget every item before `position` (clamped to what exists; never moves backwards). */
  dropBefore(position: number): void {
    const target = Math.min(position, this.total);
    if (target <= this.floor) return;
    // Release the forgotten items now; the slots themselves go at the next compaction.
    for (let index = this.floor - this.offset; index < target - this.offset; index += 1) this.items[index] = undefined;
    this.floor = target;
    const dead = this.floor - this.offset;
    // Compact once the dead prefix is at least as long as what is kept: amortized O(1) per item.
    if (dead >= this.items.length - dead) {
      this.items = this.items.slice(dead);
      this.offset = this.floor;
    }
  }

  /** Items from absolute position `from` to the end; `from` must not be below `start`. */
  slice(from: number): T[] {
    return this.items.slice(Math.max(from, this.floor) - this.offset) as T[];
  }
}
