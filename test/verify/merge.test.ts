import { beforeAll, describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/verify/merge.js';
import type { ShardResult } from '../../src/verify/shard.js';
import { verifyShard } from '../../src/verify/shard.js';

/** Two real shards of one small verification, then copies of one altered the ways shards of another would be. */
let one: ShardResult;
let two: ShardResult;
beforeAll(async () => {
  const options = { runs: 2, callers: 2, ops: 1, seed: 11 };
  [one, two] = await Promise.all([verifyShard({ ...options, shard: '1/2' }), verifyShard({ ...options, shard: '2/2' })]);
}, 60_000);

const altered = (base: ShardResult, change: (copy: ShardResult) => void): ShardResult => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};

describe('mergeShards', () => {
  it('joins every shard once, in shard order, whatever order the files come in', () => {
    const merged = mergeShards([
      { name: 'b.json', value: two },
      { name: 'a.json', value: one },
    ]);
    expect(merged).toMatchObject({ verdict: 'safe', seed: 11, runs: 2, settings: { runs: 2 } });
    expect(merged.shards).toMatchObject({ count: 2, baseSeed: 11, totalRuns: 2, sources: ['a.json', 'b.json'] });
    expect('shard' in merged).toBe(false);
  });

  it.each<[string, (copy: ShardResult) => void, RegExp]>([
    ['another client', (c) => void (c.shard.settings.client = './other.mjs'), /its client is "\.\/other\.mjs", not "undici-pool"/],
    ['other faults', (c) => void (c.shard.settings.faults = ['reset-mid-body']), /its faults is \["reset-mid-body"\], not null/],
    ['more callers', (c) => void (c.shard.settings.callers = 9), /its callers is 9, not 2/],
    ['another split', (c) => void (c.shard.count = 3), /one of 3 shards, not 2/],
    ['another run count', (c) => void (c.shard.totalRuns = 4), /splits 4 runs, not 2/],
  ])('refuses a shard with %s, saying which', (_, change, message) => {
    expect(() => mergeShards([{ name: 'a.json', value: one }, { name: 'b.json', value: altered(two, change) }])).toThrow(message);
  });

  it('a shard that failed decides the verdict, and its failure and replay are the merged ones', () => {
    const failing = altered(two, (c) => {
      c.verdict = 'violated';
      c.failure = { ...structuredClone(c.failure), replay: 'npx crosstalk verify --seed 12 --path 0' } as never;
    });
    const merged = mergeShards([{ name: 'a.json', value: one }, { name: 'b.json', value: failing }]);
    expect(merged.verdict).toBe('violated');
    expect(merged.seed).toBe(12);
    expect(merged.failure?.replay).toBe('npx crosstalk verify --seed 12 --path 0');
  });
});
