import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import { formatReport } from '../report/console.js';
import type { NamedShard } from '../verify/merge.js';
import { mergeShards } from '../verify/merge.js';
import { VERIFY_EXIT } from './verify.js';

async function readShard(file: string): Promise<NamedShard> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(ConfigErrorCode.ShardMismatch, `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return { name: file, value: JSON.parse(text) as unknown };
  } catch {
    throw new ConfigError(ConfigErrorCode.ShardMismatch, `${file} is not JSON: write shard results with verify --json.`);
  }
}

/**
 * `crosstalk merge a.json b.json …`: the shards of one verification as one verdict, with verify's exit codes
 * (0 safe, 1 violated or inconclusive, 2 files that are not every shard of one verification).
 */
export function mergeCommand(): Command {
  return new Command('merge')
    .description('join the results of verify --shard k/n (one JSON file per shard) into the verdict of the whole')
    .argument('<files...>', 'the shard results, written by verify --shard k/n --json FILE')
    .option('--json <file>', 'write the merged result as JSON')
    .action(async (files: string[], options: { json?: string }) => {
      const merged = mergeShards(await Promise.all(files.map(readShard)));
      const { count, baseSeed, totalRuns, settings } = merged.shards;
      process.stdout.write(
        `crosstalk merge: ${count} shards of seed ${baseSeed}, ${totalRuns} runs, client ${settings.client}, ` +
          `pool ${settings.connections}, up to ${settings.callers} callers × ${settings.opsPerCaller} ops` +
          `${settings.faults === null ? '' : `, faults: ${settings.faults.length} kinds`}\n`,
      );
      process.stdout.write(`${formatReport(merged).join('\n')}\n`);
      if (options.json !== undefined) {
        await writeFile(options.json, `${JSON.stringify(merged, null, 2)}\n`);
        process.stdout.write(`JSON written to ${options.json}\n`);
      }
      process.exitCode = merged.verdict === 'safe' ? VERIFY_EXIT.safe : VERIFY_EXIT.violated;
    });
}
