import { Command } from 'commander';
import { formatReport } from '../report/console.js';
import type { NamedShard } from '../verify/merge.js';
import { mergeShards } from '../verify/merge.js';
import { readSavedResult, writeSavedResult } from '../verify/saved-result.js';
import { VERIFY_EXIT } from './verify.js';

async function readShard(file: string): Promise<NamedShard> {
  return { name: file, value: await readSavedResult(file) };
}

/**
 * `crosstalk merge a.json b.json …`: the shards of one verification as one verdict, with verify's exit codes
 * (0 safe, 1 violated or inconclusive, 2 files that are not every shard of one verification). The merged result is
 * a saved result like any other: `crosstalk check` and `crosstalk report` read it.
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
        await writeSavedResult(options.json, merged);
        process.stdout.write(`JSON written to ${options.json}\n`);
      }
      process.exitCode = merged.verdict === 'safe' ? VERIFY_EXIT.safe : VERIFY_EXIT.violated;
    });
}
