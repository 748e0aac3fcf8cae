import type { ShardSpec, VerifyConfig } from './config.js';
import type { RecordedSettings } from './recorded-settings.js';
import { resolveVerifyConfig } from './config.js';
import { HistoryLog } from './history-log.js';
import { laneRuns, laneSeed } from './lanes.js';
import type { VerifyOptions } from './run-verify.js';
import { verify } from './run-verify.js';
import type { VerifyResult } from './verify.js';

/**
 * `verify --shard k/n`: one part of a verification split across machines. Shard k of n is exactly lane k-1 of an
 * n-lane verification (seed + k-1, its even share of the runs), so the seed spaces of the shards are disjoint, each
 * shard's failure replays with its own seed, and `crosstalk merge` of all n gives the verdict `--lanes n` gives.
 */
export const SHARD_SCHEMA = 1 as const;

/**
 * What must be equal in every shard of one verification, because it changes what is verified; merge refuses shards
 * that differ in any of it. Budgets and replay checks may differ between machines.
 */
export type ShardSettings = { client: string; connections: number; callers: number; opsPerCaller: number } & Omit<
  RecordedSettings,
  'runs' | 'path' | 'timeBudgetMs' | 'shrinkBudgetMs' | 'replayChecks' | 'noShrink'
>;

export interface ShardInfo {
  schema: typeof SHARD_SCHEMA;
  /** 1-based. */
  index: number;
  count: number;
  /** The verification's seed and run count, before splitting. */
  baseSeed: number;
  totalRuns: number;
  /** This shard's own seed (baseSeed + index - 1) and share of the runs. */
  seed: number;
  runs: number;
  settings: ShardSettings;
}

/** A shard's result: a verification's result, plus what merge needs to put the shards together. */
export type ShardResult = VerifyResult & { shard: ShardInfo };

export function shardSettings(result: VerifyResult): ShardSettings {
  const { runs, path, timeBudgetMs, shrinkBudgetMs, replayChecks, noShrink, ...verified } = result.settings;
  void [runs, path, timeBudgetMs, shrinkBudgetMs, replayChecks, noShrink];
  return { client: result.client, connections: result.connections, callers: result.callers, opsPerCaller: result.opsPerCaller, ...verified };
}

/** Shard `spec` of the verification `config` describes: its seed and runs. */
export function shardPart(config: VerifyConfig, spec: ShardSpec): { seed: number; runs: number } {
  return { seed: laneSeed(config.seed, spec.index - 1), runs: laneRuns(config.runs, spec.count, spec.index - 1) };
}

/** Runs this machine's shard (the options carry `shard` and `seed`). */
export async function verifyShard(options: VerifyOptions): Promise<ShardResult> {
  const config = resolveVerifyConfig(options);
  const spec = config.shard!;
  const { seed, runs } = shardPart(config, spec);
  const lane = spec.index - 1;
  const log =
    config.history === undefined ? undefined : await HistoryLog.open(config.history, { client: config.client, seed, runs });
  let result: VerifyResult | null = null;
  try {
    result = await verify({ ...options, shard: undefined, history: undefined, seed, runs, onHistory: log?.runsOf(lane, seed) });
    const shard: ShardInfo = {
      schema: SHARD_SCHEMA,
      index: spec.index,
      count: spec.count,
      baseSeed: config.seed,
      totalRuns: config.runs,
      seed,
      runs,
      settings: shardSettings(result),
    };
    return { ...result, shard };
  } finally {
    await log?.end(result);
  }
}
