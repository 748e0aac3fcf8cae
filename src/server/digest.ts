import { createHash } from 'node:crypto';

/** First 16 hex chars of sha256: enough to tell bodies and credentials apart, short enough to read in a report. */
export function shortDigest(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}
