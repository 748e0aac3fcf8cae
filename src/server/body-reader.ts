import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** The request's declared body: none, a Content-Length, or chunked (length unknown until read). */
export type DeclaredBody = { kind: 'none' } | { kind: 'length'; bytes: number } | { kind: 'chunked' };

export function declaredBody(request: IncomingMessage): DeclaredBody {
  // node's parser has already rejected conflicting or malformed framing headers.
  if (request.headers['transfer-encoding'] !== undefined) return { kind: 'chunked' };
  const length = request.headers['content-length'];
  if (length === undefined) return { kind: 'none' };
  const bytes = Number(length);
  return bytes > 0 ? { kind: 'length', bytes } : { kind: 'none' };
}

/**
 * Collect the body, at most `maxBytes`. `done(null)` when it grows past the bound: the rest is drained unread, so
 * that the client is not reset before it can read the 413. Nothing is called if the client goes away mid-body;
 * the socket's close finishes the request.
 */
export function readBody(request: IncomingMessage, maxBytes: number, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size <= maxBytes) {
      chunks.push(chunk);
      return;
    }
    request.removeListener('data', onData);
    request.removeListener('end', onEnd);
    request.resume();
    done(null);
  };
  const onEnd = (): void => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  request.on('data', onData);
  request.once('end', onEnd);
  // Without a listener an aborted upload would be an uncaught error.
  request.on('error', () => undefined);
}

/**
 * Undo `Content-Encoding` as CouchDB does (`couch_httpd:body/1`): gzip and identity are accepted, anything else is
 * a 415. The @ibm-cloud/cloudant SDK gzips every request body by default. The bound applies to the decoded size,
 * so a small compressed body cannot expand past it.
 */
export function decodeBody(
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
): { body: Buffer } | { status: 400 | 413 | 415; error: string; reason: string } {
  const name = encoding?.trim().toLowerCase() ?? 'identity';
  if (name === 'identity' || name === '') return { body };
  if (name !== 'gzip' && name !== 'x-gzip') {
    return { status: 415, error: 'bad_content_type', reason: `${name} is not a supported content encoding.` };
  }
  try {
    return { body: gunzipSync(body, { maxOutputLength: maxBytes }) };
  } catch (error) {
    if (error instanceof RangeError) {
      return { status: 413, error: 'too_large', reason: 'the request entity is too large' };
    }
    return { status: 400, error: 'bad_request', reason: 'Invalid gzip-encoded request body.' };
  }
}
