import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { BUILTIN_CLIENT_NAMES } from '../clients/registry.js';
import { formatReport } from '../report/console.js';
import { faultNames } from '../scenario/faults.js';
import { DEFAULTS, resolveVerifyConfig } from '../verify/config.js';
import { verify } from '../verify/run-verify.js';
import { verifyInLanes } from '../verify/lanes.js';
import { shardLine } from './shard-line.js';
import { shardPart, verifyShard } from '../verify/shard.js';

/** verify's outcomes; usage errors (2) are the entry's, from ConfigError. */
export const VERIFY_EXIT = { safe: 0, violated: 1 } as const;

function progress(total: number): { onRun: (done: number) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  const step = Math.max(1, Math.floor(total / 10));
  let last = 0;
  return {
    onRun(done) {
      if (tty) process.stderr.write(`\r  run ${done}/${total}`);
      else if (done - last >= step) {
        last = done;
        process.stderr.write(`  run ${done}/${total}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description('share ONE client between concurrent callers against the mock, and check it is safe to share')
    .addOption(
      new Option('--client <name|path>', `built-in (${BUILTIN_CLIENT_NAMES.join(', ')}) or a module path`).default(
        DEFAULTS.client,
      ),
    )
    .option('--connections <n>', 'pool bound configured on the client', String(DEFAULTS.connections))
    .option('--callers <n>', 'most concurrent callers in a run', String(DEFAULTS.callers))
    .option('--ops <n>', 'most operations per caller', String(DEFAULTS.ops))
    .option('--runs <n>', 'randomized runs', String(DEFAULTS.runs))
    .option('--seed <n>', 'fast-check seed (printed when not given)')
    .option('--path <p>', "replay one counterexample: fast-check's path, with --seed")
    .option('--faults [names]', `server faults: all, or some of ${faultNames().join(',')}`)
    .option('--timeout-ms <n>', "the client's own per-operation timeout", String(DEFAULTS.timeoutMs))
    .option('--deadline-ms <n>', "crosstalk's deadline for a run's calls (a hang past it is a violation)", String(DEFAULTS.deadlineMs))
    .option('--time-budget-ms <n>', 'wall-clock budget for all runs and shrinking', String(DEFAULTS.timeBudgetMs))
    .option('--json <file>', 'write the full result (verdicts, counterexample history) as JSON')
    .option('--lanes <n>', 'run the runs across N worker threads (one per core), lane k seeded with seed+k', '1')
    // Scale (issue #10): a history streamed to disk, and one shard of a verification split across machines.
    .option('--history <file>', "stream every run's joined history (calls and server records) to this JSONL file")
    .option('--shard <k/n>', 'run shard k of n (lane k-1 of an n-lane run; needs --seed); join them with crosstalk merge')
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      const input = {
        client: raw.client as string,
        connections: raw.connections as string,
        callers: raw.callers as string,
        ops: raw.ops as string,
        runs: raw.runs as string,
        seed: raw.seed as string | undefined,
        path: raw.path as string | undefined,
        faults: raw.faults as string | boolean | undefined,
        timeoutMs: raw.timeoutMs as string,
        deadlineMs: raw.deadlineMs as string,
        timeBudgetMs: raw.timeBudgetMs as string,
        json: raw.json as string | undefined,
        lanes: raw.lanes as string,
        history: raw.history as string | undefined,
        shard: raw.shard as string | undefined,
      };
      // Resolve first so a bad option fails before anything starts, and so the seed is printed before the runs.
      const config = resolveVerifyConfig(input);
      process.stdout.write(
        `crosstalk verify: client ${config.client}, pool ${config.connections}, up to ${config.callers} callers × ` +
          `${config.opsPerCaller} ops, ${config.path === undefined ? `${config.runs} runs` : `replaying path ${config.path}`}` +
          `${config.faults === null ? '' : `, faults: ${config.faults.length} kinds`}, seed ${config.seed}` +
          `${config.lanes > 1 && config.path === undefined ? ` (${config.lanes} lanes, seeds ${config.seed}..${config.seed + config.lanes - 1})` : ''}\n`,
      );
      if (config.shard !== undefined) process.stdout.write(`${shardLine(config)}\n`);
      const bar = progress(config.path === undefined ? (config.shard === undefined ? config.runs : shardPart(config, config.shard).runs) : 1);
      const laned = config.lanes > 1 && config.path === undefined;
      const result =
        config.shard !== undefined
          ? await verifyShard({ ...input, seed: config.seed, onRun: bar.onRun })
          : laned
            ? await verifyInLanes({ ...input, seed: config.seed, runs: config.runs }, config.lanes, bar.onRun)
            : await verify({ ...input, seed: config.seed, onRun: bar.onRun });
      bar.end();
      process.stdout.write(`${formatReport(result).join('\n')}\n`);
      if (config.json !== undefined) {
        await writeFile(config.json, `${JSON.stringify(result, null, 2)}\n`);
        process.stdout.write(`JSON written to ${config.json}\n`);
      }
      process.exitCode = result.verdict === 'safe' ? VERIFY_EXIT.safe : VERIFY_EXIT.violated;
    });
}
