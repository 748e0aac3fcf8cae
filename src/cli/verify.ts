import { Command, Option } from 'commander';
import { BUILTIN_CLIENT_NAMES } from '../clients/registry.js';
import { formatFound, formatReport } from '../report/console.js';
import { writeHtmlReport } from '../report/html/html-report.js';
import { Progress } from '../report/progress.js';
import { faultNames } from '../scenario/faults.js';
import type { VerifyInput } from '../verify/config.js';
import { DEFAULTS, resolveVerifyConfig } from '../verify/config.js';
import type { VerifyEvent } from '../verify/events.js';
import { verify } from '../verify/run-verify.js';
import { verifyInLanes } from '../verify/lanes.js';
import { writeSavedResult } from '../verify/saved-result.js';
import { shardLine } from './shard-line.js';

/** verify's outcomes; usage errors (2) are the entry's, from ConfigError. */
export const VERIFY_EXIT = { safe: 0, violated: 1 } as const;

/** Commander's parsed options, as the strings (or flags) the user typed: config.ts validates them. */
function inputFrom(raw: Record<string, string | boolean | undefined>): VerifyInput {
  return {
    client: raw.client as string,
    connections: raw.connections as string,
    callers: raw.callers as string,
    ops: raw.ops as string,
    runs: raw.runs as string,
    seed: raw.seed as string | undefined,
    path: raw.path as string | undefined,
    faults: raw.faults as string | boolean | undefined,
    timeoutMs: raw.timeoutMs as string | undefined,
    deadlineMs: raw.deadlineMs as string,
    quietMs: raw.quietMs as string,
    timeBudgetMs: raw.timeBudgetMs as string,
    shrinkBudgetMs: raw.shrinkBudgetMs as string,
    checkReplay: raw.checkReplay as string,
    json: raw.json as string | undefined,
    report: raw.report as string | undefined,
    lanes: raw.lanes as string,
    exec: raw.exec as string | undefined,
    // Scale (issue #10).
    history: raw.history as string | undefined,
    shard: raw.shard as string | undefined,
  };
}

/**
 * SIGINT/SIGTERM stop the verification: the run under way ends, and what was found so far is reported (while
 * shrinking, the smallest case so far). A second signal quits at once.
 */
function stopOnSignals(): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`\n${name}: stopping; reporting what was found so far (${name} again quits at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
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
    .option('--exec <command>', 'a worker in any language, speaking the worker protocol on stdin/stdout (see README)')
    .option('--connections <n>', 'pool bound configured on the client', String(DEFAULTS.connections))
    .option('--callers <n>', 'most concurrent callers in a run', String(DEFAULTS.callers))
    .option('--ops <n>', 'most operations per caller', String(DEFAULTS.ops))
    .option('--runs <n>', 'randomized runs', String(DEFAULTS.runs))
    .option('--seed <n>', 'fast-check seed (printed when not given)')
    .option('--path <p>', "replay one counterexample: fast-check's path, with --seed")
    .option('--faults [names]', `server faults: all, or some of ${faultNames().join(',')}`)
    .option('--timeout-ms <n>', `the client's own per-operation timeout (default ${DEFAULTS.timeoutMs}; ${DEFAULTS.faultsTimeoutMs} with --faults)`)
    .option('--deadline-ms <n>', "crosstalk's deadline for a run's calls (a hang past it is a violation)", String(DEFAULTS.deadlineMs))
    .option('--quiet-ms <n>', 'calls pending while nothing happens for this long are a hang', String(DEFAULTS.quietMs))
    .option('--time-budget-ms <n>', 'wall-clock budget for all runs and shrinking', String(DEFAULTS.timeBudgetMs))
    .option('--shrink-budget-ms <n>', 'wall-clock budget for shrinking, from the first failure', String(DEFAULTS.shrinkBudgetMs))
    .option('--check-replay <n>', 'replay the final counterexample N times to check it reproduces (0: skip)', String(DEFAULTS.checkReplay))
    .option('--json <file>', 'write the full result (verdicts, counterexample history) as JSON: crosstalk check reads it')
    .option('--report <file>', "write the HTML report: the counterexample's timeline, a lane per socket and per caller")
    .option('--lanes <n>', 'run the runs across N worker threads (one per core), lane k seeded with seed+k', '1')
    // Scale (issue #10): a history streamed to disk, and one shard of a verification split across machines.
    .option('--history <file>', "stream every run's joined history (calls and server records) to this JSONL file")
    .option('--shard <k/n>', 'run shard k of n (lane k-1 of an n-lane run; needs --seed); join them with crosstalk merge')
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      const input = inputFrom(raw);
      // Resolve first so a bad option fails before anything starts, and so the seed is printed before the runs.
      const config = resolveVerifyConfig(input);
      process.stdout.write(
        `crosstalk verify: client ${config.client}, pool ${config.connections}, up to ${config.callers} callers × ` +
          `${config.opsPerCaller} ops, ${config.path === undefined ? `${config.runs} runs` : `replaying path ${config.path}`}` +
          `${config.faults === null ? '' : `, faults: ${config.faults.length} kinds`}, seed ${config.seed}` +
          `${config.lanes > 1 && config.path === undefined ? ` (${config.lanes} lanes, seeds ${config.seed}..${config.seed + config.lanes - 1})` : ''}\n`,
      );
      if (config.shard !== undefined) process.stdout.write(`${shardLine(config)}\n`);
      const progress = new Progress({ tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) });
      let announced = false;
      const onEvent = (event: VerifyEvent): void => {
        if (event.type !== 'found') {
          progress.update(event);
          return;
        }
        if (announced) return;
        announced = true;
        progress.clear();
        const shrinking = config.path === undefined ? [`Shrinking it (at most ${config.shrinkBudgetMs / 1000} s; Ctrl-C reports the smallest case so far)...`] : [];
        process.stdout.write(`${[...formatFound(event.failure, event.lane), ...shrinking].join('\n')}\n\n`);
      };
      const stop = stopOnSignals();
      const laned = config.lanes > 1 && config.path === undefined;
      let result;
      try {
        result = laned
          ? await verifyInLanes({ ...input, seed: config.seed, runs: config.runs }, config.lanes, { onEvent, signal: stop.signal })
          : await verify({ ...input, seed: config.seed, onEvent, signal: stop.signal });
      } finally {
        stop.release();
        progress.clear();
      }
      process.stdout.write(`${formatReport(result).join('\n')}\n`);
      // The result as files: the saved result (read back by check and report) and the HTML timeline.
      if (config.json !== undefined) {
        await writeSavedResult(config.json, result);
        process.stdout.write(`JSON written to ${config.json}\n`);
      }
      if (config.report !== undefined) {
        await writeHtmlReport(config.report, result);
        process.stdout.write(`HTML report written to ${config.report}\n`);
      }
      process.exitCode = result.verdict === 'safe' ? VERIFY_EXIT.safe : VERIFY_EXIT.violated;
    });
}
