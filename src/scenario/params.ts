import fc from 'fast-check';
import type { OperationKind } from './scenario.js';

/**
 * `_all_docs` parameters a caller might send. Small limits and varied skips keep bodies small and make concurrent
 * operations' bodies differ, so a reply delivered to the wrong caller is visible in its digest as well as its id.
 */
const boundKeys = ['0', '1', '10', '2', 'A', 'Z', '_design/', 'a', 'doc-', 'm', 'z', 'é', '中', '😀'];

const rangeParams = fc.record(
  {
    limit: fc.integer({ min: 0, max: 25 }),
    skip: fc.integer({ min: 0, max: 40 }),
    descending: fc.boolean(),
    include_docs: fc.boolean(),
    startkey: fc.constantFrom(...boundKeys),
    inclusive_end: fc.boolean(),
  },
  { requiredKeys: ['limit'] },
);

const keysParams = fc.record({
  keys: fc.array(fc.constantFrom('doc-0001', 'doc-0002', 'doc-0042', 'missing', '10', '2', 'Z'), {
    minLength: 1,
    maxLength: 4,
  }),
  include_docs: fc.boolean(),
});

/** The first page everyone asks for: identical requests from different callers are how coalescing bugs show. */
const commonParams = fc.constantFrom<Record<string, unknown>>({ limit: 5 }, { limit: 3, include_docs: true });

export function paramsArbitrary(kind: OperationKind): fc.Arbitrary<Record<string, unknown>> {
  if (kind === 'queries') {
    return fc
      .array(fc.oneof(rangeParams, keysParams), { minLength: 1, maxLength: 3 })
      .map((queries) => ({ queries }));
  }
  return fc.oneof(
    { weight: 4, arbitrary: rangeParams },
    { weight: 1, arbitrary: keysParams },
    { weight: 2, arbitrary: commonParams },
  );
}
