import type { ShardSpec, VerifyConfig } from './config.js';
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

/** What must be equal in every shard of one verification; merge refuses shards that differ in any of it. */
export interface ShardSettings {
  client: string;
  connections: number;
  callers: number;
  opsPerCaller: number;
  faults: string[] | null;
  timeoutMs: number;
  deadlineMs: number;
}

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

export function shardSettings(config: VerifyConfig): ShardSettings {
  return {
    client: config.client,
    connections: config.connections,
    callers: config.callers,
    opsPerCaller: config.opsPerCaller,
    faults: config.faults,
    timeoutMs: config.timeoutMs,
    deadlineMs: config.deadlineMs,
  };
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
  const shard: ShardInfo = {
    schema: SHARD_SCHEMA,
    index: spec.index,
    count: spec.count,
    baseSeed: config.seed,
    totalRuns: config.runs,
    seed,
    runs,
    // A factory handed in directly is named as verify names it in its reports.
    settings: { ...shardSettings(config), client: options.factory === undefined ? config.client : (options.client ?? 'custom') },
  };
  const log =
    config.history === undefined ? undefined : await HistoryLog.open(config.history, { client: config.client, seed, runs });
  let result: VerifyResult | null = null;
  try {
    result = await verify({ ...options, shard: undefined, history: undefined, seed, runs, onHistory: log?.runsOf(lane, seed) });
    return { ...result, shard };
  } finally {
    await log?.end(result);
  }
}
