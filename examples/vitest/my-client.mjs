// The client this project shares between its concurrent callers: one undici Pool (crosstalk's client contract).
import { Buffer } from 'node:buffer';
import { URLSearchParams } from 'node:url';
import { Pool } from 'undici';

const JSON_PARAMS = new Set(['key', 'keys', 'startkey', 'endkey', 'start_key', 'end_key']);

export default function createClient({ origin, ca, connections, timeoutMs }) {
  const pool = new Pool(origin, { connections, connect: { ca } }); // trust the mock's CA; never disable verification
  return {
    async run({ kind, db, params, requestId, credentials, signal }) {
      const auth = 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
      const headers = { authorization: auth, 'x-couch-request-id': requestId, 'content-type': 'application/json' };
      const query = new URLSearchParams(
        Object.entries(params).map(([k, v]) => [k, JSON_PARAMS.has(k) ? JSON.stringify(v) : String(v)]),
      );
      const request =
        kind === 'get'
          ? { method: 'GET', path: `/${db}/_all_docs?${query}` }
          : kind === 'post'
            ? { method: 'POST', path: `/${db}/_all_docs`, body: JSON.stringify(params) }
            : { method: 'POST', path: `/${db}/_all_docs/queries`, body: JSON.stringify({ queries: params.queries }) };
      const res = await pool.request({ ...request, headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const echoed = res.headers['x-couch-request-id'];
      return { status: res.statusCode, requestId: typeof echoed === 'string' ? echoed : null, body: await res.body.text() };
    },
    close: () => pool.close(),
    traits: { maxSockets: connections },
  };
}
