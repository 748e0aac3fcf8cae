import { isDeepStrictEqual } from 'node:util';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import { combineLanes } from './lanes.js';
import type { ShardInfo, ShardResult, ShardSettings } from './shard.js';
import { SHARD_SCHEMA } from './shard.js';
import type { VerifyResult } from './verify.js';

/** One saved result as read from its file (see saved-result.ts), with the name to blame it by. */
export interface NamedShard {
  name: string;
  value: VerifyResult;
}

/** The merged verdict, and which shards it came from. */
export type MergedResult = VerifyResult & {
  shards: { count: number; baseSeed: number; totalRuns: number; settings: ShardSettings; sources: string[] };
};

function refuse(message: string): ConfigError {
  return new ConfigError(ConfigErrorCode.ShardMismatch, message);
}

function isShardResult(value: VerifyResult): value is ShardResult {
  const shard = (value as Partial<ShardResult>).shard;
  return typeof shard === 'object' && shard !== null && shard.schema === SHARD_SCHEMA && typeof shard.index === 'number';
}

/** The first way `shard` is not part of the same verification as `model`, in words; null if it is. */
function difference(model: ShardInfo, shard: ShardInfo): string | null {
  if (shard.count !== model.count) return `it is one of ${shard.count} shards, not ${model.count}`;
  if (shard.baseSeed !== model.baseSeed) return `its seed is ${shard.baseSeed}, not ${model.baseSeed}`;
  if (shard.totalRuns !== model.totalRuns) return `it splits ${shard.totalRuns} runs, not ${model.totalRuns}`;
  for (const key of Object.keys(model.settings) as Array<keyof ShardSettings>) {
    if (!isDeepStrictEqual(shard.settings[key], model.settings[key])) {
      return `its ${key} is ${JSON.stringify(shard.settings[key])}, not ${JSON.stringify(model.settings[key])}`;
    }
  }
  return null;
}

/**
 * `crosstalk merge`: the shards of one verification (`verify --shard k/n --json FILE` on n machines) as the one
 * verdict `verify --lanes n` gives for the same seed and runs: the first violating shard's failure (by shard number)
 * with its replay command, figures merged as across runs, elapsed time the slowest shard's. Refuses, with a
 * ConfigError that says why, anything that is not every shard of one verification exactly once.
 */
export function mergeShards(inputs: readonly NamedShard[]): MergedResult {
  if (inputs.length === 0) throw refuse('merge needs the shard result files (verify --shard k/n --json FILE).');
  for (const { name, value } of inputs) {
    if (!isShardResult(value)) {
      throw refuse(`${name} is a result, but not a shard's: write one with verify --shard k/n --json ${name}.`);
    }
  }
  const shards = inputs as ReadonlyArray<{ name: string; value: ShardResult }>;
  const model = shards[0]!;
  for (const { name, value } of shards.slice(1)) {
    const why = difference(model.value.shard, value.shard);
    if (why !== null) throw refuse(`${name} is not a shard of the same verification as ${model.name}: ${why}.`);
  }
  const byIndex = new Map<number, string>();
  for (const { name, value } of shards) {
    const other = byIndex.get(value.shard.index);
    if (other !== undefined) throw refuse(`shard ${value.shard.index}/${value.shard.count} is given twice: ${other} and ${name}.`);
    byIndex.set(value.shard.index, name);
  }
  const { count, baseSeed, totalRuns, settings } = model.value.shard;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    throw refuse(`shard ${missing.map((index) => `${index}/${count}`).join(', ')} missing: a verdict needs every shard.`);
  }
  const ordered = [...shards].sort((a, b) => a.value.shard.index - b.value.shard.index);
  const results = ordered.map(({ value }) => {
    const { shard, ...result } = value;
    void shard;
    return result;
  });
  const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
  return {
    ...combineLanes(results, baseSeed, totalRuns, elapsedMs),
    shards: { count, baseSeed, totalRuns, settings, sources: ordered.map(({ name }) => name) },
  };
}
