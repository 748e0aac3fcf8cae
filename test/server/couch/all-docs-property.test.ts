import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fixtureLiveIds, freshCouch, json, q, req } from './helpers.js';

/**
 * A naive model of the range path: filter every live id by the bounds, in traversal order, then skip and limit.
 * No binary search, no index: if the two disagree, one of them is wrong.
 */
interface RangeParams {
  startkey?: unknown;
  endkey?: unknown;
  startkey_docid?: string;
  endkey_docid?: string;
  descending?: boolean;
  inclusive_end?: boolean;
  skip?: number;
  limit?: number;
}

const LIVE = fixtureLiveIds('foundbite');
const SEED = 20250115;

/** Compares an id with a bound; every non-string JSON value sorts before every string. */
function compare(id: string, bound: unknown): number {
  if (typeof bound !== 'string') return 1;
  return Buffer.compare(Buffer.from(id), Buffer.from(bound));
}

function model(params: RangeParams): { offset: number; ids: string[] } {
  const descending = params.descending === true;
  const inclusive = params.inclusive_end !== false;
  const start = params.startkey !== undefined ? params.startkey : params.startkey_docid;
  const end = params.endkey !== undefined ? params.endkey : params.endkey_docid;
  const afterStart = (id: string): boolean =>
    start === undefined || (descending ? compare(id, start) <= 0 : compare(id, start) >= 0);
  const beforeEnd = (id: string): boolean => {
    if (end === undefined) return true;
    const order = compare(id, end);
    if (descending) return inclusive ? order >= 0 : order > 0;
    return inclusive ? order <= 0 : order < 0;
  };
  const traversal = descending ? [...LIVE].reverse() : LIVE;
  const skip = params.skip ?? 0;
  const limit = params.limit ?? Number.MAX_SAFE_INTEGER;
  const preceding = traversal.filter((id) => !afterStart(id)).length;
  const matching = traversal.filter((id) => afterStart(id) && beforeEnd(id));
  return { offset: Math.min(LIVE.length, preceding + skip), ids: matching.slice(skip, skip + limit) };
}

const interesting = fc.constantFrom('a', 'A', 'z', '_', '0', '1', '9', '~', ':', '-', 'é', 'ü', '中', '😀', '𝄞', '～', '\u{10FFFF}');
const freeString = fc.string({ unit: interesting, maxLength: 4 });
const existingId = fc.constantFrom(...LIVE);
const prefixOfId = fc.tuple(existingId, fc.nat({ max: 6 })).map(([id, length]) => [...id].slice(0, length).join(''));
const stringBound = fc.oneof(existingId, prefixOfId, freeString);
const jsonBound = fc.oneof(
  { weight: 6, arbitrary: stringBound },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 0, 1, true, {}, [], ['a']) },
);

const params: fc.Arbitrary<RangeParams> = fc.record(
  {
    startkey: jsonBound,
    endkey: jsonBound,
    startkey_docid: stringBound,
    endkey_docid: stringBound,
    descending: fc.boolean(),
    inclusive_end: fc.boolean(),
    skip: fc.oneof(fc.nat({ max: 20 }), fc.nat({ max: 700 })),
    limit: fc.nat({ max: 40 }),
  },
  { requiredKeys: [] },
);

describe('the range path agrees with a naive model', () => {
  const couch = freshCouch();

  test(`GET and POST, random bounds (seed ${SEED})`, () => {
    fc.assert(
      fc.property(params, fc.boolean(), (range, viaPost) => {
        const { startkey_docid, endkey_docid, ...rest } = range;
        const response = viaPost
          ? couch.handle(req('POST', '/foundbite/_all_docs', { body: range }))
          : couch.handle(req('GET', '/foundbite/_all_docs', {
              query: [
                q(rest),
                startkey_docid === undefined ? '' : `startkey_docid=${encodeURIComponent(startkey_docid)}`,
                endkey_docid === undefined ? '' : `endkey_docid=${encodeURIComponent(endkey_docid)}`,
              ].filter((part) => part !== '').join('&'),
            }));
        expect(response.status).toBe(200);
        const body = json(response);
        const expected = model(range);
        expect(body.total_rows).toBe(LIVE.length);
        expect(body.offset).toBe(expected.offset);
        expect(body.rows.map((row: { id: string }) => row.id)).toEqual(expected.ids);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
