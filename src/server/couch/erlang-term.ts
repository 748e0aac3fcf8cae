import type { Json } from './json.js';

/**
 * CouchDB words some errors with `io_lib:format("~p", [Value])`, so the reason shows the Erlang term it received:
 * a query-string value is a byte list (`"abc"`, `[]` when empty), a JSON body string is a binary (`<<"abc">>`),
 * a JSON number is itself (`-1`). This reproduces that rendering for the values a parameter can carry (without
 * `~p`'s line wrapping of terms past 80 columns, which no realistic parameter reaches).
 */

const ESCAPES: Record<number, string> = {
  8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 34: '\\"', 92: '\\\\',
};

/** `io_lib:printable_latin1_list/1`, on bytes. */
function isPrintableLatin1(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    const printable = (byte >= 32 && byte <= 126) || byte >= 160 || (byte >= 8 && byte <= 13) || byte === 27;
    if (!printable) return false;
  }
  return true;
}

/** Renders printable bytes as a quoted string; raw bytes ≥ 160 pass through, so valid UTF-8 stays valid. */
function quoteBytes(bytes: Uint8Array): Buffer {
  const out: number[] = [34];
  for (const byte of bytes) {
    const escape = ESCAPES[byte];
    if (escape === undefined) out.push(byte);
    else for (let i = 0; i < escape.length; i += 1) out.push(escape.charCodeAt(i));
  }
  out.push(34);
  return Buffer.from(out);
}

function byteList(bytes: Uint8Array): string {
  return `[${Array.from(bytes).join(',')}]`;
}

/** `~p` of a byte list (a query-string value as mochiweb hands it over). */
export function formatByteList(bytes: Uint8Array): string {
  if (bytes.length === 0) return '[]';
  if (!isPrintableLatin1(bytes)) return byteList(bytes);
  return quoteBytes(bytes).toString('utf8');
}

function formatBinary(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return '<<>>';
  if (!isPrintableLatin1(bytes)) return `<<${Array.from(bytes).join(',')}>>`;
  return `<<${quoteBytes(bytes).toString('utf8')}>>`;
}

/** `~p` of a decoded JSON value (jiffy: strings are binaries, objects `{[{K, V}]}`, null/true/false atoms). */
export function formatJsonTerm(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return formatBinary(value);
  if (Array.isArray(value)) {
    // A list of small printable integers is a string to `~p`.
    if (value.length > 0 && value.every((item) => typeof item === 'number' && Number.isInteger(item) && item >= 0 && item <= 255)) {
      const bytes = Uint8Array.from(value as number[]);
      if (isPrintableLatin1(bytes)) return quoteBytes(bytes).toString('utf8');
    }
    return `[${value.map(formatJsonTerm).join(',')}]`;
  }
  const members = Object.entries(value).map(([key, member]) => `{${formatBinary(key)},${formatJsonTerm(member)}}`);
  return `{[${members.join(',')}]}`;
}
