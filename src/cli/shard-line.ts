import type { VerifyConfig } from '../verify/config.js';
import { shardPart } from '../verify/shard.js';

/** What `verify --shard` prints after the seed line: which part of the whole this machine runs. */
export function shardLine(config: VerifyConfig): string {
  const spec = config.shard!;
  const { seed, runs } = shardPart(config, spec);
  return (
    `shard ${spec.index}/${spec.count}: ${runs} of ${config.runs} runs, seed ${seed} ` +
    `(lane ${spec.index - 1} of seed ${config.seed}); crosstalk merge joins the ${spec.count} result files`
  );
}
