import { describe, expect, it } from 'vitest';
import { maxOverlap, peakConcurrentCallers } from '../../src/history/history-index.js';
import type { CallRecord } from '../../src/history/run-history.js';

const call = (callerId: string, issuedAt: number, settledAt: number | null): CallRecord => ({
  opId: `${callerId}-${issuedAt}`,
  requestId: `r-${callerId}-${issuedAt}`,
  callerId,
  tenant: 't',
  username: 'u',
  kind: 'get',
  method: 'GET',
  db: 'db',
  issuedAt,
  settledAt,
  abortPlanned: false,
  abortAt: null,
  outcome: { type: 'hung' },
});

describe('demand peaks', () => {
  it('an end and a start at the same instant do not overlap', () => {
    expect(maxOverlap([[0, 1], [5, -1], [5, 1], [9, -1]])).toBe(1);
  });

  it('one caller is never concurrent with itself, however much its calls are stretched', () => {
    const calls = [call('c0', 0, 10), call('c0', 10, 20), call('c0', 20, 30)];
    expect(peakConcurrentCallers(calls, 100, 5)).toBe(1);
  });

  it('two callers overlapping count twice; a hung call lasts to the end of the run', () => {
    expect(peakConcurrentCallers([call('c0', 0, 10), call('c1', 50, null), call('c2', 60, 70)], 100)).toBe(2);
  });
});
