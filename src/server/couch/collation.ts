/**
 * CouchDB orders `_all_docs` by the raw bytes of the ids' UTF-8 (Erlang binary comparison), which is Unicode
 * code-point order. JavaScript's `<` compares UTF-16 code units and puts astral characters (😀, 𝄞) before
 * U+E000..U+FFFF, so every comparison here is on Buffers.
 */

export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

export function compareIds(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/** Index of the first element `>= key` in ascending `sorted` (sorted.length when none). */
export function lowerBound(sorted: readonly Buffer[], key: Buffer): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(sorted[middle]!, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first element `> key` in ascending `sorted` (sorted.length when none). */
export function upperBound(sorted: readonly Buffer[], key: Buffer): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(sorted[middle]!, key) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
