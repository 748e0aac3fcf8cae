/**
 * Query strings as mochiweb's `parse_qs` splits them: `&` and `;` both separate pairs, `+` is a space, `%XX` with
 * two hex digits is a byte (anything else stays literal), a key without `=` has the value "", and repeated keys are
 * kept in order (later ones win when applied). Values stay bytes: CouchDB decodes some as JSON and prints others
 * back in error messages.
 */

export interface QueryPair {
  key: string;
  value: Buffer;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 65 && byte <= 70) return byte - 55;
  if (byte >= 97 && byte <= 102) return byte - 87;
  return -1;
}

export function percentDecode(text: string, plusIsSpace: boolean): Buffer {
  // Non-ASCII characters cannot arrive unencoded in a request line; any that do are taken as UTF-8.
  const bytes = Buffer.from(text, 'utf8');
  if (!bytes.includes(37) && !(plusIsSpace && bytes.includes(43))) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i]!;
    const high = byte === 37 && i + 2 < bytes.length ? hexValue(bytes[i + 1]!) : -1;
    const low = high >= 0 ? hexValue(bytes[i + 2]!) : -1;
    if (low >= 0) {
      out[length] = high * 16 + low;
      i += 2;
    } else {
      out[length] = byte === 43 && plusIsSpace ? 32 : byte;
    }
    length += 1;
  }
  return out.subarray(0, length);
}

export function parseQuery(query: string): QueryPair[] {
  const pairs: QueryPair[] = [];
  if (query === '') return pairs;
  let position = 0;
  while (position < query.length) {
    let keyEnd = position;
    while (keyEnd < query.length && query[keyEnd] !== '=' && query[keyEnd] !== '&' && query[keyEnd] !== ';') keyEnd += 1;
    const key = percentDecode(query.slice(position, keyEnd), true).toString('utf8');
    let valueStart = keyEnd;
    if (query[keyEnd] === '=') valueStart = keyEnd + 1;
    let valueEnd = valueStart;
    while (valueEnd < query.length && query[valueEnd] !== '&' && query[valueEnd] !== ';') valueEnd += 1;
    pairs.push({ key, value: percentDecode(query.slice(valueStart, valueEnd), true) });
    position = valueEnd + 1;
  }
  return pairs;
}

/** `couch_util:get_value/3` on the parsed query: the first occurrence wins. */
export function firstValue(pairs: readonly QueryPair[], key: string): Buffer | undefined {
  for (const pair of pairs) if (pair.key === key) return pair.value;
  return undefined;
}
