/** JSON as CouchDB's jiffy sees it: strict UTF-8 in, compact UTF-8 out. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type Parsed = { ok: true; value: Json } | { ok: false };

// jiffy rejects invalid UTF-8 rather than replacing it, so the decoder must be fatal.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseJsonBytes(bytes: Uint8Array): Parsed {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false };
  }
  return parseJsonText(text);
}

export function parseJsonText(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch {
    return { ok: false };
  }
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body of a plain JSON response: compact, newline-terminated, as `couch_httpd:send_json` writes it. */
export function jsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) + '\n', 'utf8');
}
